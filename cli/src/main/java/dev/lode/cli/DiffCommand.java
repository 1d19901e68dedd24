package dev.lode.cli;

import dev.lode.engine.Diff;
import dev.lode.engine.Repository;
import dev.lode.engine.ResolvedRevision;
import dev.lode.engine.Revision;
import dev.lode.engine.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "diff", description = {"Compare two versions: schema changes, rows, and shared fragments.",
        "REV2 may omit the dataset (lode diff cifar@v1 main)."})
final class DiffCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(index = "0", paramLabel = "REV1")
    String from;

    @Parameters(index = "1", paramLabel = "REV2")
    String to;

    @Override
    public Integer call() throws Exception {
        try (Repository repository = common.openRepository()) {
            Revision fromRevision = Revision.parse(from);
            Revision toRevision = Revision.parse(to.contains("@") || to.contains("/") ? to
                    : fromRevision.dataset() + "@" + to);
            ResolvedRevision a = repository.resolve(fromRevision);
            ResolvedRevision b = repository.resolve(toRevision);
            Diff diff = Diff.between(repository.readManifest(a.commit().manifest()),
                    repository.readManifest(b.commit().manifest()));
            if (common.json) {
                var builder = Json.object().put("from", a.commitId().hex()).put("to", b.commitId().hex());
                diff.toJson().asObject().members().forEach(builder::put);
                common.printJson(builder.build());
                return 0;
            }
            System.out.println("diff " + a.revision() + " (" + a.commitId().abbreviated() + ") " + b.revision() + " ("
                    + b.commitId().abbreviated() + ")");
            if (diff.schemaChanges().isEmpty()) {
                System.out.println("schema: unchanged");
            } else {
                diff.schemaChanges().forEach(change -> System.out.println("schema: " + change));
            }
            System.out.printf("rows: %,d -> %,d (%+,d)%n", diff.rowsFrom(), diff.rowsTo(),
                    diff.rowsTo() - diff.rowsFrom());
            System.out.printf("fragments: %d shared, %d added (%,d rows, %s), %d removed (%,d rows)%n",
                    diff.fragmentsShared(), diff.fragmentsAdded(), diff.rowsAdded(), Formats.bytes(diff.bytesAdded()),
                    diff.fragmentsRemoved(), diff.rowsRemoved());
        }
        return 0;
    }
}
