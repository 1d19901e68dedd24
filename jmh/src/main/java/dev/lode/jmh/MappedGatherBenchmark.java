package dev.lode.jmh;

import dev.lode.loader.DatasetLayout;
import dev.lode.loader.Gathers;
import dev.lode.loader.OrderPlan;
import dev.lode.loader.PinnedMemory;
import dev.lode.loader.SlabColumn;
import dev.lode.loader.SlabLayout;
import dev.lode.loader.SlabRing;
import dev.lode.loader.TailPolicy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * Gathering CIFAR-like rows (3x32x32 uint8 image + int32 label, 3076 bytes) into a pinned slab from the two sources
 * the loader reads: {@code memory}, a fragment decoded into off-heap memory, and {@code mapped}, the same bytes in a
 * file mapped read-only with {@code FileChannel.map} into a {@code MemorySegment}, as the fragment cache maps its
 * uncompressed Arrow IPC files (.lode/cache). The file is in the page cache (written just before), which is the
 * steady state of a cache that fits in memory. Scores are samples per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class MappedGatherBenchmark {
    static final int ROWS = 50_000;
    static final int BATCH = 256;
    static final int IMAGE_BYTES = 3 * 32 * 32;
    static final long SAMPLE_BYTES = IMAGE_BYTES + 4;
    private static final String COMMIT = "0".repeat(64);

    @Param({"memory", "mapped"})
    public String source;

    @Param({"global", "block"})
    public String order;

    private Arena arena;
    private Path file;
    private MemorySegment rows;
    private PinnedMemory memory;
    private SlabRing ring;
    private SlabLayout.ColumnRegions images;
    private SlabLayout.ColumnRegions labels;
    private long[] indices;
    private int steps;
    private int step;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        arena = Arena.ofShared();
        MemorySegment decoded = arena.allocate(SAMPLE_BYTES * ROWS, 4096);
        for (long row = 0; row < ROWS; row++) {
            decoded.asSlice(row * SAMPLE_BYTES, SAMPLE_BYTES).fill((byte) row);
        }
        if (source.equals("mapped")) {
            file = Files.createTempFile("lode-mapped-gather-", ".arrow");
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.write(decoded.asByteBuffer());
                channel.force(true);
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                rows = channel.map(FileChannel.MapMode.READ_ONLY, 0, SAMPLE_BYTES * ROWS, arena);
            }
        } else {
            rows = decoded;
        }
        OrderPlan plan = switch (order) {
            case "global" -> OrderPlan.global(COMMIT, ROWS, 42, BATCH, TailPolicy.DROP);
            case "block" -> OrderPlan.block(COMMIT, DatasetLayout.ofRowGroups(rowGroups(50, 1000)), 4, 42, BATCH,
                    TailPolicy.DROP);
            default -> throw new IllegalArgumentException("Unknown order " + order);
        };
        steps = (int) plan.stepsPerEpoch();
        indices = new long[steps * BATCH];
        for (int s = 0; s < steps; s++) {
            System.arraycopy(plan.samplesFor(0, s, 0, 1), 0, indices, s * BATCH, BATCH);
        }
        SlabLayout layout = SlabLayout.of(BATCH,
                SlabColumn.tensor("image", SlabColumn.ElementType.UINT8, 3, 32, 32),
                SlabColumn.fixed("label", SlabColumn.ElementType.INT32));
        images = layout.column("image");
        labels = layout.column("label");
        memory = PinnedMemory.open();
        ring = new SlabRing(memory, 2, layout.totalBytes());
    }

    private static long[] rowGroups(int count, long size) {
        long[] groups = new long[count];
        java.util.Arrays.fill(groups, size);
        return groups;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        ring.close();
        memory.close();
        arena.close();
        if (file != null) {
            Files.deleteIfExists(file);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int gather() throws InterruptedException {
        int from = step * BATCH;
        step = step + 1 == steps ? 0 : step + 1;
        try (SlabRing.Slab slab = ring.acquire()) {
            MemorySegment segment = slab.segment();
            Gathers.column(rows, SAMPLE_BYTES, 0, indices, from, BATCH, segment, images);
            Gathers.column(rows, SAMPLE_BYTES, IMAGE_BYTES, indices, from, BATCH, segment, labels);
            return slab.index();
        }
    }
}
