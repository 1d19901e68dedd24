package dev.lode.cli;

import dev.lode.engine.Repository;
import dev.lode.engine.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "gc", description = {"Delete objects no ref needs.",
        "Keeps everything reachable from every ref and from ref-log entries younger than --retention, and every "
                + "object younger than --grace (so an import or push in flight is never cut short)."})
final class GcCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--dry-run", description = "Report what would be deleted; delete nothing.")
    boolean dryRun;

    @Option(names = "--retention", paramLabel = "DURATION", defaultValue = "P30D",
            description = "Ref-log entries younger than this keep their commits (ISO-8601, default ${DEFAULT-VALUE}).")
    Duration retention;

    @Option(names = "--grace", paramLabel = "DURATION", defaultValue = "PT2H",
            description = "Objects younger than this are never deleted (ISO-8601, default ${DEFAULT-VALUE}).")
    Duration grace;

    @Override
    public Integer call() throws Exception {
        try (Repository repository = common.openRepository()) {
            Repository.GcReport report = repository.gc(retention, grace, dryRun);
            if (common.json) {
                common.printJson(Json.object().put("dryRun", report.dryRun()).put("objects", report.objects())
                        .put("reachable", report.reachable()).put("deleted", report.deleted())
                        .put("deletedBytes", report.deletedBytes()).put("keptYoung", report.keptYoung()).build());
            } else {
                System.out.printf("%s %d unreachable objects (%s); %d objects reachable, %d unreachable kept as "
                                + "younger than %s%n", dryRun ? "Would delete" : "Deleted", report.deleted(),
                        Formats.bytes(report.deletedBytes()), report.reachable(), report.keptYoung(), grace);
            }
        }
        return 0;
    }
}
