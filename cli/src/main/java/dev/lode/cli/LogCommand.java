package dev.lode.cli;

import dev.lode.engine.Ref;
import dev.lode.engine.Repository;
import dev.lode.engine.ResolvedRevision;
import dev.lode.engine.Revision;
import dev.lode.engine.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "log", description = "Show the history of DATASET[@REV], newest first (first parents).")
final class LogCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(index = "0", paramLabel = "DATASET[@REV]")
    String revision;

    @Option(names = {"-n", "--max-count"}, paramLabel = "N", description = "Show at most N commits.")
    int max = Integer.MAX_VALUE;

    @Override
    public Integer call() throws Exception {
        try (Repository repository = common.openRepository()) {
            ResolvedRevision start = repository.resolve(Revision.parse(revision));
            List<Repository.LogEntry> entries = repository.history(start.commitId(), max);
            List<Ref> refs = repository.refsOf(start.revision().dataset());
            if (common.json) {
                List<Json> items = new ArrayList<>();
                for (Repository.LogEntry entry : entries) {
                    items.add(Formats.commitJson(entry.id(), entry.commit()));
                }
                common.printJson(Json.object().put("dataset", start.revision().dataset())
                        .put("entries", Json.array(items)).build());
                return 0;
            }
            for (Repository.LogEntry entry : entries) {
                List<String> names = new ArrayList<>();
                for (Ref ref : refs) {
                    if (ref.target().equals(entry.id())) {
                        names.add((ref.name().isTag() ? "tag: " : "") + ref.name().name());
                    }
                }
                System.out.println("commit " + entry.id().hex() + (names.isEmpty() ? "" : " (" + String.join(", ",
                        names) + ")"));
                System.out.println("Author: " + entry.commit().author());
                System.out.println("Date:   " + entry.commit().time());
                System.out.println();
                System.out.println("    " + entry.commit().message());
                System.out.println();
            }
        }
        return 0;
    }
}
