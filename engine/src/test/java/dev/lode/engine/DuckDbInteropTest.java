package dev.lode.engine;

import dev.lode.engine.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Reads Lode's Parquet fragments with DuckDB, an engine we did not write, and checks its figures against the same
 * figures computed from the source CSV. DuckDB comes from npm ({@code @duckdb/node-api}, pinned below) and is
 * installed by this test into {@code target/npm} on first use; later runs reuse it. Without node or npm, or when the
 * npm registry cannot be reached, the test is skipped with the reason printed.
 */
class DuckDbInteropTest {
    static final String DUCKDB_PACKAGE = "@duckdb/node-api";
    static final String DUCKDB_VERSION = "1.5.6-r.1";
    private static final long SEED = 11;
    private static final int ROWS = 50_000;
    private static final List<String> NETWORK_ERRORS = List.of("ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED",
            "ECONNRESET", "ETIMEDOUT", "ENETUNREACH", "EHOSTUNREACH", "network", "socket hang up", "timed out after");

    @TempDir
    Path folder;

    /**
     * The installed {@code @duckdb/node-api} module folder, installing it first when needed. Aborts the calling test
     * (reported as skipped) when node or npm is missing or the registry cannot be reached.
     */
    private static Path duckDbModule() throws IOException, InterruptedException {
        Result node = runQuietly(List.of("node", "--version"), Path.of("."), 30);
        assumeTrue(node.ok(), () -> skip("node is not installed (" + node.output().strip() + ")"));
        Result npm = runQuietly(List.of("npm", "--version"), Path.of("."), 30);
        assumeTrue(npm.ok(), () -> skip("npm is not installed (" + npm.output().strip() + ")"));

        // Surefire runs in the module folder, so this is the module's build folder: mvn clean removes it.
        Path prefix = Path.of("target", "npm").toAbsolutePath();
        Path module = prefix.resolve("node_modules").resolve(DUCKDB_PACKAGE);
        if (!installedVersionIs(module, DUCKDB_VERSION)) {
            Files.createDirectories(prefix);
            long start = System.nanoTime();
            // Short fetch timeouts: without a network npm would otherwise retry for minutes before giving up.
            Result install = runQuietly(List.of("npm", "install", "--prefix", prefix.toString(), "--no-audit",
                    "--no-fund", "--no-save", "--fetch-timeout=30000", "--fetch-retries=1",
                    DUCKDB_PACKAGE + "@" + DUCKDB_VERSION), prefix, 180);
            if (!install.ok()) {
                boolean offline = NETWORK_ERRORS.stream().anyMatch(install.output()::contains);
                List<String> errors = install.output().lines().filter(line -> line.contains("error")).limit(3)
                        .toList();
                assumeTrue(!offline, () -> skip("npm could not reach its registry to install " + DUCKDB_PACKAGE
                        + "@" + DUCKDB_VERSION + ": " + errors));
                throw new IOException("npm install " + DUCKDB_PACKAGE + "@" + DUCKDB_VERSION + " failed:\n"
                        + install.output());
            }
            assertTrue(installedVersionIs(module, DUCKDB_VERSION), "npm installed no " + DUCKDB_PACKAGE + " in "
                    + module);
            System.out.printf("DuckDbInteropTest: installed %s@%s into %s in %.1f s%n", DUCKDB_PACKAGE,
                    DUCKDB_VERSION, prefix, (System.nanoTime() - start) / 1e9);
        }
        return module;
    }

    @Test
    void duckDbReadsOurFragmentsAndSeesTheSourceFigures() throws IOException, InterruptedException {
        Path duckDbModule = duckDbModule();
        Path csv = TestData.csv(folder.resolve("data.csv"), SEED, ROWS);
        List<Path> parts;
        try (Repository repository = Repository.init(Files.createDirectories(folder.resolve("repo")))) {
            ImportResult result = repository.importFiles(ImportRequest.of("interop", List.of(csv)));
            assertTrue(result.manifest().fragments().size() > 1, "the test should cover several fragments");
            parts = repository.exportParquet(result.manifest(), folder.resolve("export"));
        }

        Json.JsonObject duckDb = runDuckDb(duckDbModule, parts);
        Figures expected = Figures.of(csv);

        assertEquals("BIGINT,BIGINT,DOUBLE,VARCHAR,BOOLEAN,DATE", duckDb.getString("types"),
                "column types as DuckDB reads them");
        assertEquals(parts.size(), number(duckDb, "filesWithArrowSchema"), "files whose footer has ARROW:schema");
        assertEquals(expected.rows, number(duckDb, "rows"), "count(*)");
        assertEquals(expected.idSum, number(duckDb, "idSum"), "sum(id)");
        assertEquals(expected.labelSum, number(duckDb, "labelSum"), "sum(label)");
        assertEquals(expected.scoreCount, number(duckDb, "scoreCount"), "count(score)");
        double scoreSum = Double.parseDouble(duckDb.get("scoreSum").toString());
        assertEquals(expected.scoreSum, scoreSum, Math.abs(expected.scoreSum) * 1e-12, "sum(score)");
        assertEquals(expected.nameCount, number(duckDb, "nameCount"), "count(name)");
        assertEquals(expected.distinctNames.size(), number(duckDb, "nameDistinct"), "count(DISTINCT name)");
        assertEquals(expected.flagTrue, number(duckDb, "flagTrue"), "sum(CASE WHEN flag THEN 1 ELSE 0 END)");
        assertEquals(expected.minDay, duckDb.getString("minDay"), "min(day)");
        assertEquals(expected.maxDay, duckDb.getString("maxDay"), "max(day)");
    }

    /** DuckDB's figures over the given Parquet files, as printed by a node script. */
    private Json.JsonObject runDuckDb(Path duckDbModule, List<Path> parts) throws IOException, InterruptedException {
        Path script = folder.resolve("duckdb-figures.cjs");
        Files.writeString(script, """
                // Usage: node duckdb-figures.cjs MODULE FILE...; prints one JSON object.
                const { DuckDBInstance } = require(process.argv[2]);
                const files = '[' + process.argv.slice(3).map(f => "'" + f.replaceAll("'", "''") + "'").join(', ') + ']';
                (async () => {
                  const instance = await DuckDBInstance.create(':memory:');
                  const connection = await instance.connect();
                  const one = async sql => (await connection.runAndReadAll(sql)).getRowObjects()[0];
                  const figures = await one(`SELECT count(*) AS rows, sum(id) AS idSum, sum(label) AS labelSum,
                      count(score) AS scoreCount, sum(score) AS scoreSum, count(name) AS nameCount,
                      count(DISTINCT name) AS nameDistinct, sum(CASE WHEN flag THEN 1 ELSE 0 END) AS flagTrue,
                      CAST(min(day) AS VARCHAR) AS minDay, CAST(max(day) AS VARCHAR) AS maxDay
                      FROM read_parquet(${files})`);
                  const described = (await connection.runAndReadAll(
                      `DESCRIBE SELECT id, label, score, name, flag, day FROM read_parquet(${files})`)).getRowObjects();
                  figures.types = described.map(column => column.column_type).join(',');
                  figures.filesWithArrowSchema = (await one(`SELECT count(DISTINCT file_name) AS n
                      FROM parquet_kv_metadata(${files}) WHERE decode(key) = 'ARROW:schema'`)).n;
                  console.log(JSON.stringify(figures, (key, value) =>
                      typeof value === 'bigint' ? value.toString() : value));
                })().catch(error => { console.error(error); process.exit(1); });
                """);
        List<String> command = new ArrayList<>(List.of("node", script.toString(), duckDbModule.toString()));
        parts.forEach(part -> command.add(part.toAbsolutePath().toString()));
        Result result = runQuietly(command, folder, 60);
        assertTrue(result.ok(), () -> "DuckDB failed to read our Parquet files:\n" + result.output());
        String output = result.output().strip();
        String lastLine = output.substring(output.lastIndexOf('\n') + 1);
        System.out.println("DuckDbInteropTest: DuckDB " + DUCKDB_VERSION + " read " + parts.size() + " files: "
                + lastLine);
        return (Json.JsonObject) Json.parse(lastLine);
    }

    /** A count or integer sum that DuckDB printed as a string (BIGINT, HUGEINT) or a number. */
    private static long number(Json.JsonObject object, String key) {
        Json value = object.get(key);
        return value instanceof Json.JsonString text ? Long.parseLong(text.value()) : object.getLong(key);
    }

    /** The same figures from the CSV by a plain parser of its own: TestData writes no line breaks inside fields. */
    private record Figures(long rows, long idSum, long labelSum, long scoreCount, double scoreSum, long nameCount,
                           Set<String> distinctNames, long flagTrue, String minDay, String maxDay) {
        static Figures of(Path csv) throws IOException {
            List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
            assertEquals(List.of("id", "label", "score", "name", "flag", "day"), fields(lines.getFirst()));
            long rows = 0;
            long idSum = 0;
            long labelSum = 0;
            long scoreCount = 0;
            double scoreSum = 0;
            long nameCount = 0;
            Set<String> names = new HashSet<>();
            long flagTrue = 0;
            String minDay = null;
            String maxDay = null;
            for (String line : lines.subList(1, lines.size())) {
                List<String> fields = fields(line);
                assertEquals(6, fields.size(), line);
                rows++;
                idSum += Long.parseLong(fields.get(0));
                labelSum += Long.parseLong(fields.get(1));
                if (fields.get(2) != null) {
                    scoreCount++;
                    scoreSum += Double.parseDouble(fields.get(2));
                }
                if (fields.get(3) != null) {
                    nameCount++;
                    names.add(fields.get(3));
                }
                flagTrue += Boolean.parseBoolean(fields.get(4)) ? 1 : 0;
                String day = fields.get(5);
                minDay = minDay == null || day.compareTo(minDay) < 0 ? day : minDay;
                maxDay = maxDay == null || day.compareTo(maxDay) > 0 ? day : maxDay;
            }
            return new Figures(rows, idSum, labelSum, scoreCount, scoreSum, nameCount, names, flagTrue, minDay,
                    maxDay);
        }

        /** RFC 4180 fields of one line; an unquoted empty field is null, as Lode's CSV importer reads it. */
        static List<String> fields(String line) {
            List<String> fields = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            boolean quoted = false;
            boolean inQuotes = false;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (inQuotes) {
                    if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else if (c == '"') {
                        inQuotes = false;
                    } else {
                        field.append(c);
                    }
                } else if (c == '"') {
                    inQuotes = true;
                    quoted = true;
                } else if (c == ',') {
                    fields.add(field.isEmpty() && !quoted ? null : field.toString());
                    field.setLength(0);
                    quoted = false;
                } else {
                    field.append(c);
                }
            }
            fields.add(field.isEmpty() && !quoted ? null : field.toString());
            return fields;
        }
    }

    private static boolean installedVersionIs(Path module, String version) throws IOException {
        Path packageJson = module.resolve("package.json");
        if (!Files.isRegularFile(packageJson)) {
            return false;
        }
        Json json = Json.parse(Files.readAllBytes(packageJson));
        return json instanceof Json.JsonObject object && version.equals(object.getString("version"));
    }

    private static String skip(String reason) {
        String message = "DuckDbInteropTest skipped: " + reason;
        System.out.println(message);
        return message;
    }

    private record Result(int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs a command with stdout and stderr merged; a command that cannot start gives exit code -1. */
    private static Result runQuietly(List<String> command, Path directory, long timeoutSeconds)
            throws IOException, InterruptedException {
        Process process;
        Path log = Files.createTempFile("duckdb-interop", ".log");
        try {
            try {
                process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                        .redirectOutput(log.toFile()).start();
            } catch (IOException e) {
                return new Result(-1, String.valueOf(e.getMessage()));
            }
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                return new Result(-1, String.join(" ", command) + " timed out after " + timeoutSeconds + " s\n"
                        + Files.readString(log));
            }
            return new Result(process.exitValue(), Files.readString(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
