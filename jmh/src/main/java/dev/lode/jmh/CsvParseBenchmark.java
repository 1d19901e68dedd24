package dev.lode.jmh;

import dev.lode.engine.importer.ImportContext;
import dev.lode.engine.importer.ImportOptions;
import dev.lode.engine.importer.ImportTable;
import dev.lode.engine.importer.csv.CsvImporter;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.openjdk.jmh.annotations.AuxCounters;
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

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Parsing a generated ~20 MB CSV (int64, float64 with nulls, date, boolean, low- and high-cardinality strings, some
 * quoted) into Arrow batches with {@link CsvImporter}: {@code open} (the type-inference pass) plus {@code read} (the
 * parsing pass), on {@link #threads} parser threads. One operation is one whole file, so the primary score is files
 * per second; the {@code sourceMegabytes} counter is source MB (10^6 bytes) per second, each byte counted once though
 * the importer reads it twice; {@code rows} is rows per second; {@code work / cpuSeconds} is source MB per CPU-second
 * (see {@link CpuCounters}). Nothing is written: this is the parser alone.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED"})
public class CsvParseBenchmark {
    static final long TARGET_BYTES = 20_000_000;
    private static final long SEED = 42;

    @Param({"1", "2"})
    public int threads;

    private Path folder;
    private Path csv;
    private long csvBytes;
    private BufferAllocator allocator;
    private final CsvImporter importer = new CsvImporter();

    /** Per-operation counters that JMH turns into rates. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public double sourceMegabytes;
        public long rows;

        @Setup(Level.Iteration)
        public void reset() {
            sourceMegabytes = 0;
            rows = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        folder = Files.createTempDirectory("lode-csv-bench");
        csv = generate(folder.resolve("data.csv"));
        csvBytes = Files.size(csv);
        allocator = new RootAllocator();
        System.out.printf("%n%s: %,d bytes, %d parser threads%n", csv, csvBytes, threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        allocator.close();
        Files.deleteIfExists(csv);
        Files.deleteIfExists(folder);
    }

    @Benchmark
    public long parse(Counters counters, CpuCounters cpu) throws IOException {
        cpu.start();
        long[] rows = new long[1];
        try (ImportTable table = importer.open(List.of(csv), ImportOptions.none(),
                new ImportContext(allocator, threads, bytes -> { }))) {
            table.read(batch -> rows[0] += batch.getRowCount());
        }
        counters.rows += rows[0];
        counters.sourceMegabytes += csvBytes / 1e6;
        cpu.stop(csvBytes / 1e6);
        return rows[0];
    }

    /** A deterministic CSV of about {@link #TARGET_BYTES} bytes. */
    static Path generate(Path file) throws IOException {
        SplittableRandom random = new SplittableRandom(SEED);
        String[] categories = {"electronics", "books", "garden", "toys", "grocery", "sports", "beauty", "music"};
        String[] syllables = {"ka", "lo", "mi", "ne", "ru", "ta", "shi", "po", "an", "el", "or", "us"};
        long written = 0;
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("id,user_id,amount,score,category,comment,in_stock,day\n");
            StringBuilder line = new StringBuilder(256);
            for (long row = 0; written < TARGET_BYTES; row++) {
                line.setLength(0);
                line.append(row).append(',').append(random.nextInt(1_000_000)).append(',')
                        .append(random.nextInt(1_000_000)).append('.').append(random.nextInt(10))
                        .append(random.nextInt(10)).append(',');
                if (random.nextInt(64) != 0) {
                    line.append(random.nextDouble());
                }
                line.append(',').append(categories[random.nextInt(categories.length)]).append(',');
                boolean quoted = random.nextInt(16) == 0;
                if (quoted) {
                    line.append('"');
                }
                int words = 1 + random.nextInt(6);
                for (int w = 0; w < words; w++) {
                    if (w > 0) {
                        line.append(quoted && w == 1 ? ", " : " ");
                    }
                    for (int s = 2 + random.nextInt(3); s > 0; s--) {
                        line.append(syllables[random.nextInt(syllables.length)]);
                    }
                }
                if (quoted) {
                    line.append(" \"\"quoted\"\"\"");
                }
                line.append(',').append(random.nextBoolean()).append(',').append(2020 + random.nextInt(6))
                        .append("-0").append(1 + random.nextInt(9)).append('-').append(10 + random.nextInt(19))
                        .append('\n');
                out.append(line);
                written += line.length();
            }
        }
        return file;
    }
}
