package dev.lode.cli;

import dev.lode.engine.LodeException;
import dev.lode.engine.Repository;
import dev.lode.engine.Revision;
import dev.lode.engine.Transfers;
import dev.lode.engine.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "pull", description = {"Fetch a pinned version: lode pull [REMOTE] DATASET@REV.",
        "REV is a remote branch, tag or commit prefix. Fetches the commit, its manifest and only the fragments "
                + "that are missing, verifying every hash, then creates or fast-forwards the local ref of the same "
                + "name (a commit prefix changes no ref). REMOTE defaults to origin."})
final class PullCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(arity = "1..2", paramLabel = "[REMOTE] DATASET@REV")
    List<String> words = new ArrayList<>();

    @Option(names = "--rebase", description = "If the local branch has commits the remote lacks, re-apply them "
            + "(their fragment additions and removals) on top of the remote head, so the next push fast-forwards.")
    boolean rebase;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "8",
            description = "Objects downloaded at once (default: ${DEFAULT-VALUE}).")
    int parallel;

    @Override
    public Integer call() throws Exception {
        try (Repository local = common.openRepository()) {
            String remoteName = Remotes.DEFAULT;
            String revisionText = words.getLast();
            if (words.size() == 2) {
                remoteName = words.getFirst();
            }
            Revision revision = Revision.parse(revisionText);
            try (Remotes.Connection remote = Remotes.connect(local, Remotes.find(local, remoteName))) {
                Transfers transfers;
                Transfers.RefUpdate update;
                try (Progress progress = Progress.transfer(common.showProgress(), "pull " + revision.dataset())) {
                    transfers = new Transfers(remote.repository(), local, parallel, progress.transferListener());
                    update = transfers.pull(revision, rebase, Repository.currentUser(),
                            "pull " + remoteName + " " + revision);
                }
                if (common.json) {
                    var builder = Json.object();
                    updateJson(update).asObject().members().forEach(builder::put);
                    common.printJson(builder.put("remote", remoteName).put("objects", transfers.objectsSent())
                            .put("bytes", transfers.bytesSent()).build());
                } else {
                    System.out.println(describe(update) + " (" + transfers.objectsSent() + " objects, "
                            + Formats.bytes(transfers.bytesSent()) + ")");
                }
            }
        }
        return 0;
    }

    static Json updateJson(Transfers.RefUpdate update) {
        return Json.object()
                .put("ref", update.name().dataset() + "@" + update.name().name())
                .put("kind", update.name().isTag() ? "tag" : "branch")
                .put("status", update.status().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'))
                .put("before", update.before().map(id -> (Json) Json.of(id.hex())).orElse(Json.nullValue()))
                .put("after", update.after().hex())
                .build();
    }

    static String describe(Transfers.RefUpdate update) {
        String name = update.name().dataset() + "@" + update.name().name();
        return switch (update.status()) {
            case CREATED -> name + ": created at " + update.after().abbreviated();
            case FAST_FORWARD -> name + ": " + update.before().orElseThrow().abbreviated() + " -> "
                    + update.after().abbreviated();
            case REBASED -> name + ": rebased local commits onto the remote, now " + update.after().abbreviated();
            case UP_TO_DATE -> name + ": up to date" + (update.detail().isEmpty() ? "" : " (" + update.detail() + ")");
            case FETCHED -> "fetched " + update.detail();
        };
    }

}
