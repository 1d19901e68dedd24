package dev.lode.cli;

import dev.lode.engine.Manifest;
import dev.lode.engine.Repository;
import dev.lode.engine.ResolvedRevision;
import dev.lode.engine.Revision;
import dev.lode.engine.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "export", description = "Write a version out as Parquet part files or one CSV file.")
final class ExportCommand implements Callable<Integer> {
    enum Format { parquet, csv }

    @Mixin
    CommonOptions common;

    @Parameters(index = "0", paramLabel = "DATASET[@REV]")
    String revision;

    @Option(names = "--to", required = true, paramLabel = "DIR", description = "An empty or new folder.")
    Path folder;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "parquet",
            description = "parquet (the stored fragments, verified) or csv (default: ${DEFAULT-VALUE}).")
    Format format;

    @Override
    public Integer call() throws Exception {
        try (Repository repository = common.openRepository()) {
            ResolvedRevision resolved = repository.resolve(Revision.parse(revision));
            Manifest manifest = repository.readManifest(resolved.commit().manifest());
            List<Path> files = format == Format.csv ? repository.exportCsv(manifest, folder)
                    : repository.exportParquet(manifest, folder);
            if (common.json) {
                common.printJson(Json.object().put("commit", resolved.commitId().hex()).put("rows", manifest.rows())
                        .putStrings("files", files.stream().map(Path::toString).toList()).build());
            } else {
                System.out.printf("Exported %s (%,d rows) to %d file(s) in %s%n", resolved.revision(),
                        manifest.rows(), files.size(), folder);
            }
        }
        return 0;
    }
}
