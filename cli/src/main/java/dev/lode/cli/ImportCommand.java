package dev.lode.cli;

import dev.lode.engine.CommitOutcome;
import dev.lode.engine.ImportRequest;
import dev.lode.engine.ImportResult;
import dev.lode.engine.LodeException;
import dev.lode.engine.ObjectId;
import dev.lode.engine.Repository;
import dev.lode.engine.Revision;
import dev.lode.engine.ResolvedRevision;
import dev.lode.engine.importer.ImportOptions;
import dev.lode.engine.json.Json;
import dev.lode.engine.json.JsonException;
import dev.lode.engine.parquet.Schemas;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;

@Command(name = "import", description = {
        "Convert source files into a new version of DATASET (one commit on --branch).",
        "Sources are read in the order given and concatenated; the format is detected from magic bytes and "
                + "extension unless --format is given. Importing the same sources with the same options again adds "
                + "nothing (convert once)."})
final class ImportCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(index = "0", paramLabel = "DATASET", description = "Dataset name, such as cifar10 or vision/coco.")
    String dataset;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "SOURCE", description = "Files to import.")
    List<Path> sources;

    @Option(names = "--format", paramLabel = "FORMAT", description = "Force the input format (csv, json, npy, hdf5, mat, imagefolder, parquet, arrow).")
    String format;

    @Option(names = {"-m", "--message"}, paramLabel = "MESSAGE", description = "Commit message.")
    String message;

    @Option(names = {"-b", "--branch"}, paramLabel = "BRANCH", defaultValue = "main",
            description = "Branch to commit to (default: ${DEFAULT-VALUE}).")
    String branch;

    @Option(names = "--no-header", description = "CSV/TSV: the first line is data, not column names.")
    boolean noHeader;

    @Option(names = "--delimiter", paramLabel = "CHAR", description = "CSV: field delimiter (default: detected).")
    String delimiter;

    @Option(names = "--schema", paramLabel = "FILE", description = "CSV/TSV: an Arrow schema as JSON "
            + "(docs/FORMAT-schema.md; the output of lode show --json also works) that every value must obey, "
            + "instead of inferring types.")
    Path schema;

    @Option(names = "--option", paramLabel = "KEY=VALUE", description = "An importer option (repeatable).")
    Map<String, String> options = new TreeMap<>();

    @Option(names = "--threads", paramLabel = "N", description = "Parser threads (default: all cores). "
            + "Output does not depend on it.")
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());

    @Option(names = "--verify-against", paramLabel = "REV", description = "Instead of committing, convert again "
            + "and check that the result is bit for bit the manifest of DATASET@REV.")
    String verifyAgainst;

    @Override
    public Integer call() throws Exception {
        TreeMap<String, String> values = new TreeMap<>(options);
        if (noHeader) {
            values.put("header", "false");
        }
        if (delimiter != null) {
            values.put("delimiter", delimiter.equals("\\t") ? "\t" : delimiter);
        }
        if (schema != null) {
            values.put("schema", readSchema(schema));
        }
        ImportRequest request = ImportRequest.of(dataset, sources).withBranch(branch)
                .withOptions(ImportOptions.of(values)).withThreads(threads)
                .withMessage(message != null ? message : "Import " + describeSources());
        if (format != null) {
            request = request.withFormat(format);
        }
        long total = 0;
        for (Path source : sources) {
            total += Files.isRegularFile(source) ? Files.size(source) : 0;
        }
        try (Repository repository = common.openRepository()) {
            total *= dev.lode.engine.Importers.choose(sources, request.format()).passes();
            if (verifyAgainst != null) {
                return verify(repository, request);
            }
            ImportResult result;
            try (Progress progress = Progress.bytes(common.showProgress(), "import", total)) {
                result = repository.importFiles(request.withProgress(progress.listener(), commandLine()));
            }
            print(result);
        }
        return 0;
    }

    private int verify(Repository repository, ImportRequest request) throws Exception {
        ResolvedRevision expected = repository.resolve(Revision.parse(verifyAgainst.contains("@")
                ? verifyAgainst : dataset + "@" + verifyAgainst));
        ObjectId actual = repository.reconvert(request);
        boolean same = actual.equals(expected.commit().manifest());
        if (common.json) {
            common.printJson(Json.object().put("revision", expected.revision().toString())
                    .put("expectedManifest", expected.commit().manifest().hex()).put("actualManifest", actual.hex())
                    .put("identical", same).build());
        } else if (same) {
            System.out.println("Identical: converting again gives manifest " + actual.abbreviated() + " of "
                    + expected.revision());
        }
        if (!same) {
            throw new LodeException("Conversion differs from " + expected.revision() + ": expected manifest "
                    + expected.commit().manifest().hex() + ", got " + actual.hex());
        }
        return 0;
    }

    /**
     * The schema file as canonical schema JSON (so lineage and the conversion cache see the schema, not its path).
     * Either a schema object or any object with a "schema" member, such as the output of {@code lode show --json}.
     */
    private static String readSchema(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new LodeException("Cannot read schema file " + file + ": it does not exist or is not a file");
        }
        try {
            Json.JsonObject object = Json.parse(Files.readAllBytes(file)).asObject();
            if (object.find("fields").isEmpty() && object.find("schema").isPresent()) {
                object = object.getObject("schema");
            }
            return Schemas.toJson(Schemas.fromJson(object)).toString();
        } catch (JsonException | LodeException e) {
            throw new LodeException("Cannot read schema file " + file + ": " + e.getMessage(), e);
        }
    }

    private String describeSources() {
        return sources.size() == 1 ? String.valueOf(sources.getFirst().getFileName()) : sources.size() + " files";
    }

    private String commandLine() {
        return "import " + dataset + " " + String.join(" ", sources.stream().map(Path::toString).toList());
    }

    private void print(ImportResult result) {
        boolean created = result.outcome().status() == CommitOutcome.Status.CREATED;
        if (common.json) {
            common.printJson(Json.object()
                    .put("dataset", dataset)
                    .put("branch", branch)
                    .put("status", created ? "created" : "up-to-date")
                    .put("commit", result.outcome().commit().hex())
                    .put("manifest", result.manifestId().hex())
                    .put("format", result.format())
                    .put("rows", result.manifest().rows())
                    .put("fragments", result.manifest().fragments().size())
                    .put("conversionCached", result.conversionCached())
                    .put("newObjects", result.newObjects())
                    .put("newBytes", result.newBytes())
                    .put("sourceBytes", result.sourceBytes())
                    .build());
            return;
        }
        if (!created) {
            System.out.println(dataset + "@" + branch + " is up to date (" + result.outcome().commit().abbreviated()
                    + "): same content, nothing added");
            return;
        }
        System.out.printf("%s@%s %s: %,d rows in %d fragments (%s), %d new objects, %s new%s%n", dataset, branch,
                result.outcome().commit().abbreviated(), result.manifest().rows(),
                result.manifest().fragments().size(), result.format(), result.newObjects(),
                Formats.bytes(result.newBytes()), result.conversionCached() ? ", conversion cached" : "");
    }
}
