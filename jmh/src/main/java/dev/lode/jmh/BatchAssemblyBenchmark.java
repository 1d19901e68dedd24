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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * Assembling a batch of CIFAR-like rows (a 3x32x32 uint8 image and an int32 label, 3076 bytes per sample) from a
 * 50,000-row source into a pinned slab, in the sample order of a global or block {@link OrderPlan}. Scores are
 * samples per second; multiply by {@link #SAMPLE_BYTES} for bytes per second. {@code copyBaseline} moves the same
 * bytes per batch with one {@code MemorySegment.copy} from a contiguous source range: the memory-bandwidth limit
 * that gathering can at best reach.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class BatchAssemblyBenchmark {
    static final int ROWS = 50_000;
    static final int BATCH = 256;
    static final int IMAGE_BYTES = 3 * 32 * 32;
    static final long SAMPLE_BYTES = IMAGE_BYTES + 4;
    private static final String COMMIT = "0".repeat(64);

    @Param({"global", "block"})
    public String order;

    private Arena arena;
    private MemorySegment source;
    private PinnedMemory memory;
    private SlabRing ring;
    private SlabLayout layout;
    private SlabLayout.ColumnRegions images;
    private SlabLayout.ColumnRegions labels;
    private long[] indices;
    private int steps;
    private int step;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        source = arena.allocate(SAMPLE_BYTES * ROWS, 4096);
        for (long row = 0; row < ROWS; row++) {
            source.asSlice(row * SAMPLE_BYTES, SAMPLE_BYTES).fill((byte) row);
        }
        OrderPlan plan = switch (order) {
            case "global" -> OrderPlan.global(COMMIT, ROWS, 42, BATCH, TailPolicy.DROP);
            // 50 row groups of 1,000 rows, shuffled within windows of 4 row groups.
            case "block" -> OrderPlan.block(COMMIT, DatasetLayout.ofRowGroups(rowGroups(50, 1000)), 4, 42, BATCH,
                    TailPolicy.DROP);
            default -> throw new IllegalArgumentException("Unknown order " + order);
        };
        steps = (int) plan.stepsPerEpoch();
        indices = new long[steps * BATCH];
        for (int s = 0; s < steps; s++) {
            System.arraycopy(plan.samplesFor(0, s, 0, 1), 0, indices, s * BATCH, BATCH);
        }
        layout = SlabLayout.of(BATCH,
                SlabColumn.tensor("image", SlabColumn.ElementType.UINT8, 3, 32, 32),
                SlabColumn.fixed("label", SlabColumn.ElementType.INT32));
        images = layout.column("image");
        labels = layout.column("label");
        memory = PinnedMemory.open();
        ring = new SlabRing(memory, 2, layout.totalBytes());
        System.out.println("\n" + memory.notice() + "; " + SAMPLE_BYTES + " bytes per sample, " + BATCH
                + " samples per batch");
    }

    private static long[] rowGroups(int count, long rows) {
        long[] groups = new long[count];
        java.util.Arrays.fill(groups, rows);
        return groups;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ring.close();
        memory.close();
        arena.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int gather() throws InterruptedException {
        int from = step * BATCH;
        step = step + 1 == steps ? 0 : step + 1;
        try (SlabRing.Slab slab = ring.acquire()) {
            MemorySegment segment = slab.segment();
            Gathers.column(source, SAMPLE_BYTES, 0, indices, from, BATCH, segment, images);
            Gathers.column(source, SAMPLE_BYTES, IMAGE_BYTES, indices, from, BATCH, segment, labels);
            return slab.index();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int copyBaseline() throws InterruptedException {
        long from = step * BATCH * SAMPLE_BYTES;
        step = step + 1 == steps ? 0 : step + 1;
        try (SlabRing.Slab slab = ring.acquire()) {
            MemorySegment.copy(source, from, slab.segment(), 0, BATCH * SAMPLE_BYTES);
            return slab.index();
        }
    }
}
