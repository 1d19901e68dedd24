package dev.lode.jmh;

import dev.lode.engine.parquet.FragmentReader;
import dev.lode.engine.parquet.FragmentWriter;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Decoding one CIFAR-like Parquet fragment (as bench/loader-vs-pytorch.sh writes them: a 3x32x32 uint8 image as a
 * fixed-size list and an int64 label, seeded random values) into Arrow batches of 4,096 rows with
 * {@link FragmentReader#read}, the loader's first-epoch decode. One operation is one whole fragment, so the primary
 * score is fragments per second; {@code decodedMegabytes} is decoded bytes (10^6, 3,080 per row) per second and
 * {@code rows} rows per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED"})
public class FragmentDecodeBenchmark {
    static final int ROWS = 10_000;
    static final int IMAGE_BYTES = 3 * 32 * 32;
    static final int ROW_BYTES = IMAGE_BYTES + 8;
    static final int BATCH_ROWS = 4096;
    private static final long SEED = 7;

    private Path folder;
    private Path fragment;
    private BufferAllocator allocator;

    /** Per-operation counters that JMH turns into rates. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public long rows;
        public double decodedMegabytes;

        @Setup(Level.Iteration)
        public void reset() {
            rows = 0;
            decodedMegabytes = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        folder = Files.createTempDirectory("lode-decode-bench");
        fragment = folder.resolve("fragment.parquet");
        allocator = new RootAllocator();
        try (VectorSchemaRoot batch = cifarBatch(allocator);
             FragmentWriter writer = FragmentWriter.create(batch.getSchema(), fragment)) {
            writer.write(batch, 0, ROWS);
            writer.finish();
        }
        System.out.printf("%n%,d CIFAR-like rows give a %,d-byte fragment%n", ROWS, Files.size(fragment));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        allocator.close();
        Files.deleteIfExists(fragment);
        Files.deleteIfExists(folder);
    }

    @Benchmark
    public long read(Counters counters) throws IOException {
        long[] checksum = new long[1];
        FragmentReader.read(fragment, allocator, BATCH_ROWS, root -> {
            FixedSizeListVector image = (FixedSizeListVector) root.getVector("image");
            BigIntVector label = (BigIntVector) root.getVector("label");
            int last = root.getRowCount() - 1;
            checksum[0] += label.get(last) + image.getDataVector().getDataBuffer().getByte((long) last * IMAGE_BYTES);
            counters.rows += root.getRowCount();
        });
        counters.decodedMegabytes += (double) ROWS * ROW_BYTES / 1e6;
        return checksum[0];
    }

    static VectorSchemaRoot cifarBatch(BufferAllocator allocator) {
        SplittableRandom random = new SplittableRandom(SEED);
        FixedSizeListVector image = new FixedSizeListVector("image", allocator,
                FieldType.notNullable(new ArrowType.FixedSizeList(IMAGE_BYTES)), null);
        image.addOrGetVector(FieldType.notNullable(new ArrowType.Int(8, false)));
        BigIntVector label = new BigIntVector("label", FieldType.notNullable(new ArrowType.Int(64, true)), allocator);
        VectorSchemaRoot root = new VectorSchemaRoot(java.util.List.of(image, label));
        root.allocateNew();
        UInt1Vector items = (UInt1Vector) image.getDataVector();
        for (int row = 0; row < ROWS; row++) {
            image.setNotNull(row);
            for (int i = 0; i < IMAGE_BYTES; i++) {
                items.setSafe(row * IMAGE_BYTES + i, random.nextInt(256));
            }
            label.setSafe(row, random.nextInt(10));
        }
        root.setRowCount(ROWS);
        return root;
    }
}
