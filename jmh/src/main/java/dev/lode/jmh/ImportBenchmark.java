package dev.lode.jmh;

import dev.lode.engine.ImportRequest;
import dev.lode.engine.ImportResult;
import dev.lode.engine.Repository;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A whole import of the ~20 MB CSV of {@link CsvParseBenchmark} into a fresh local repository: source hashing, both
 * CSV passes, Parquet fragments written, hashed and stored, manifest and commit, on {@link #threads} threads. One
 * operation is one import, so the primary score is imports per second; {@code work / cpuSeconds} is source MB per
 * CPU-second (see {@link CpuCounters}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED"})
public class ImportBenchmark {
    @Param({"1", "2"})
    public int threads;

    private Path folder;
    private Path csv;
    private long csvBytes;
    private long imports;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        folder = Files.createTempDirectory("lode-import-bench");
        csv = CsvParseBenchmark.generate(folder.resolve("data.csv"));
        csvBytes = Files.size(csv);
        System.out.printf("%n%s: %,d bytes, %d threads%n", csv, csvBytes, threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        delete(folder);
    }

    @Benchmark
    public ImportResult importCsv(CpuCounters cpu) throws IOException {
        cpu.start();
        Path repositoryFolder = Files.createDirectory(folder.resolve("repository-" + imports++));
        try (Repository repository = Repository.init(repositoryFolder)) {
            ImportResult result = repository.importFiles(ImportRequest.of("bench", List.of(csv)).withThreads(threads));
            cpu.stop(csvBytes / 1e6);
            return result;
        } finally {
            delete(repositoryFolder);
        }
    }

    private static void delete(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
