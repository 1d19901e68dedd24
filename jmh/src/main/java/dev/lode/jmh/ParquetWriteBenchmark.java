package dev.lode.jmh;

import dev.lode.engine.parquet.FragmentSummary;
import dev.lode.engine.parquet.FragmentWriter;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Writing one Parquet fragment with {@link FragmentWriter} from a fixed, seeded 100,000-row Arrow batch of mixed
 * types: int64 (sequential), int32, float64 (every 101st null), float32, utf8 (low-cardinality words and unique
 * strings), boolean, date and timestamp (UTC microseconds). One operation is one complete file (create, write, finish,
 * delete), so the primary score is fragments per second; the {@code rows} counter is rows per second and
 * {@code outputMegabytes} is Parquet MB (10^6 bytes) written per second; {@code work / cpuSeconds} is rows per
 * CPU-second (see {@link CpuCounters}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED"})
public class ParquetWriteBenchmark {
    static final int ROWS = 100_000;
    private static final long SEED = 42;

    private Path folder;
    private BufferAllocator allocator;
    private VectorSchemaRoot batch;
    private long fileNumber;

    /** Per-operation counters that JMH turns into rates. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public long rows;
        public double outputMegabytes;

        @Setup(Level.Iteration)
        public void reset() {
            rows = 0;
            outputMegabytes = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        folder = Files.createTempDirectory("lode-parquet-bench");
        allocator = new RootAllocator();
        batch = mixedBatch(allocator);
        Path probe = folder.resolve("probe.parquet");
        try (FragmentWriter writer = FragmentWriter.create(batch.getSchema(), probe)) {
            writer.write(batch, 0, ROWS);
            writer.finish();
        }
        System.out.printf("%n%,d rows of %s give a %,d-byte fragment%n", ROWS, batch.getSchema(), Files.size(probe));
        Files.delete(probe);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        batch.close();
        allocator.close();
        Files.deleteIfExists(folder);
    }

    @Benchmark
    public FragmentSummary write(Counters counters, CpuCounters cpu) throws IOException {
        cpu.start();
        Path file = folder.resolve("fragment-" + fileNumber++ + ".parquet");
        try {
            FragmentSummary summary;
            try (FragmentWriter writer = FragmentWriter.create(batch.getSchema(), file)) {
                writer.write(batch, 0, ROWS);
                summary = writer.finish();
            }
            counters.rows += ROWS;
            counters.outputMegabytes += Files.size(file) / 1e6;
            cpu.stop(ROWS);
            return summary;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    static VectorSchemaRoot mixedBatch(BufferAllocator allocator) {
        SplittableRandom random = new SplittableRandom(SEED);
        String[] words = {"cat", "dog", "bird, small", "fish \"gold\"", "ox", "antelope", "heron", "marmot"};
        BigIntVector id = new BigIntVector("id", allocator);
        IntVector label = new IntVector("label", allocator);
        Float8Vector score = new Float8Vector("score", allocator);
        Float4Vector weight = new Float4Vector("weight", allocator);
        VarCharVector word = new VarCharVector("word", allocator);
        VarCharVector text = new VarCharVector("text", allocator);
        BitVector flag = new BitVector("flag", allocator);
        DateDayVector day = new DateDayVector("day", allocator);
        TimeStampMicroTZVector seen = new TimeStampMicroTZVector("seen", allocator, "UTC");
        VectorSchemaRoot root = VectorSchemaRoot.of(id, label, score, weight, word, text, flag, day, seen);
        root.allocateNew();
        for (int row = 0; row < ROWS; row++) {
            id.setSafe(row, row);
            label.setSafe(row, random.nextInt(1000));
            if (row % 101 == 0) {
                score.setNull(row);
            } else {
                score.setSafe(row, random.nextDouble());
            }
            weight.setSafe(row, (float) random.nextGaussian());
            word.setSafe(row, words[random.nextInt(words.length)].getBytes(StandardCharsets.UTF_8));
            String unique = "row " + row + " " + Long.toHexString(random.nextLong());
            text.setSafe(row, unique.getBytes(StandardCharsets.UTF_8));
            flag.setSafe(row, random.nextBoolean() ? 1 : 0);
            day.setSafe(row, 19_000 + random.nextInt(2_000));
            seen.setSafe(row, 1_700_000_000_000_000L + random.nextLong(100_000_000_000_000L));
        }
        root.setRowCount(ROWS);
        return root;
    }
}
