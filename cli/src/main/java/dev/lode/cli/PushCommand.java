package dev.lode.cli;

import dev.lode.engine.LodeException;
import dev.lode.engine.Ref;
import dev.lode.engine.RefName;
import dev.lode.engine.Repository;
import dev.lode.engine.Revision;
import dev.lode.engine.Transfers;
import dev.lode.engine.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "push", description = {"Upload versions to a remote: lode push [REMOTE] [DATASET[@REF]...].",
        "Sends only the objects the remote lacks, objects before refs, then moves each remote ref by "
                + "compare-and-set. No DATASET pushes every branch and tag; DATASET alone pushes its branches and "
                + "tags. A remote branch that moved is rejected: run lode pull --rebase, then push again. REMOTE "
                + "defaults to origin."})
final class PushCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(arity = "0..*", paramLabel = "[REMOTE] DATASET[@REF]")
    List<String> words = new ArrayList<>();

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "8",
            description = "Objects uploaded at once (default: ${DEFAULT-VALUE}).")
    int parallel;

    @Override
    public Integer call() throws Exception {
        try (Repository local = common.openRepository()) {
            List<String> rest = new ArrayList<>(words);
            String remoteName = !rest.isEmpty() && Remotes.isRemote(local, rest.getFirst()) ? rest.removeFirst()
                    : Remotes.DEFAULT;
            List<RefName> refs = selectRefs(local, rest);
            try (Remotes.Connection remote = Remotes.connect(local, Remotes.find(local, remoteName))) {
                List<Json> updates = new ArrayList<>();
                long objects = 0;
                long bytes = 0;
                for (RefName ref : refs) {
                    Transfers transfers;
                    try (Progress progress = Progress.transfer(common.showProgress(), "push " + ref.dataset())) {
                        transfers = new Transfers(local, remote.repository(), parallel, progress.transferListener());
                        Transfers.RefUpdate update = transfers.push(ref, Repository.currentUser(),
                                "push " + remoteName + " " + ref.dataset() + "@" + ref.name());
                        updates.add(PullCommand.updateJson(update));
                        if (!common.json) {
                            System.out.println(PullCommand.describe(update) + " (" + transfers.objectsSent()
                                    + " objects, " + Formats.bytes(transfers.bytesSent()) + ")");
                        }
                    }
                    objects += transfers.objectsSent();
                    bytes += transfers.bytesSent();
                }
                if (common.json) {
                    common.printJson(Json.object().put("remote", remoteName).put("updates", Json.array(updates))
                            .put("objects", objects).put("bytes", bytes).build());
                }
            }
        }
        return 0;
    }

    static List<RefName> selectRefs(Repository local, List<String> revisions) throws Exception {
        Set<RefName> selected = new LinkedHashSet<>();
        if (revisions.isEmpty()) {
            local.refs().list(ref -> selected.add(ref.name()));
        }
        for (String text : revisions) {
            Revision revision = Revision.parse(text);
            if (!text.contains("@")) {
                for (Ref ref : local.refsOf(revision.dataset())) {
                    selected.add(ref.name());
                }
                if (local.refsOf(revision.dataset()).isEmpty()) {
                    throw new LodeException("Nothing to push: the local repository has no dataset '"
                            + revision.dataset() + "'");
                }
                continue;
            }
            RefName branch = RefName.branch(revision.dataset(), revision.rev());
            RefName tag = RefName.tag(revision.dataset(), revision.rev());
            boolean isBranch = local.refs().read(branch).isPresent();
            boolean isTag = local.refs().read(tag).isPresent();
            if (isBranch && isTag) {
                throw new LodeException("Ambiguous ref " + text + ": both a branch and a tag");
            }
            if (!isBranch && !isTag) {
                throw new LodeException("No branch or tag " + text + " in the local repository");
            }
            selected.add(isBranch ? branch : tag);
        }
        List<RefName> sorted = new ArrayList<>(selected);
        sorted.sort(null);
        return sorted;
    }
}
