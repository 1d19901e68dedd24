package dev.lode.loader;

import dev.lode.engine.LodeException;

/**
 * The order of one epoch of an {@link OrderPlan}: position p in [0, N) of the epoch delivers dataset row
 * {@link #sampleAt(long)}, and the batching of {@link OrderPlan} cuts these positions into global batches and rank
 * slices. Any position costs constant time in global and sequential mode, and O(log rowGroups) in block mode, with
 * no per-row memory. Immutable and thread-safe.
 */
public final class EpochOrder {
    private final OrderPlan plan;
    private final long epoch;
    private final long rowCount;
    private final FeistelPermutation global;
    // Block mode only: slot j of the epoch holds row group permuted(j); slotStart[j] is the epoch position of its
    // first row and slotOrigin[j] its first dataset row.
    private final long[] slotStart;
    private final long[] slotOrigin;
    private final int window;

    EpochOrder(OrderPlan plan, long epoch) {
        if (epoch < 0) {
            throw new LodeException("Epoch must be >= 0, got " + epoch);
        }
        this.plan = plan;
        this.epoch = epoch;
        this.rowCount = plan.rowCount();
        this.window = plan.windowRowGroups();
        switch (plan.mode()) {
            case GLOBAL -> {
                global = new FeistelPermutation(rowCount,
                        OrderHashes.permutationKey(plan.seed(), epoch, OrderHashes.PURPOSE_GLOBAL_SAMPLES, 0));
                slotStart = null;
                slotOrigin = null;
            }
            case BLOCK -> {
                global = null;
                DatasetLayout layout = plan.layout();
                int groups = layout.rowGroupCount();
                FeistelPermutation rowGroups = new FeistelPermutation(groups,
                        OrderHashes.permutationKey(plan.seed(), epoch, OrderHashes.PURPOSE_BLOCK_ROW_GROUPS, 0));
                slotStart = new long[groups + 1];
                slotOrigin = new long[groups];
                for (int slot = 0; slot < groups; slot++) {
                    int group = (int) rowGroups.apply(slot);
                    slotOrigin[slot] = layout.rowGroupStart(group);
                    slotStart[slot + 1] = slotStart[slot] + layout.rowGroupRows(group);
                }
            }
            case SEQUENTIAL -> {
                global = null;
                slotStart = null;
                slotOrigin = null;
            }
            default -> throw new AssertionError(plan.mode());
        }
    }

    public OrderPlan plan() {
        return plan;
    }

    public long epoch() {
        return epoch;
    }

    /** N, the number of positions (and rows) of the epoch. */
    public long size() {
        return rowCount;
    }

    /** The dataset row at a position in [0, N) of this epoch. */
    public long sampleAt(long position) {
        if (position < 0 || position >= rowCount) {
            throw new IndexOutOfBoundsException("Position " + position + " is outside [0, " + rowCount + ")");
        }
        return switch (plan.mode()) {
            case GLOBAL -> global.apply(position);
            case SEQUENTIAL -> position;
            case BLOCK -> blockSampleAt(position);
        };
    }

    private long blockSampleAt(long position) {
        int groups = slotOrigin.length;
        int windowIndex = slotContaining(position, 0, groups) / window;
        int firstSlot = windowIndex * window;
        int endSlot = (int) Math.min((long) firstSlot + window, groups);
        long windowStart = slotStart[firstSlot];
        long windowRows = slotStart[endSlot] - windowStart;
        FeistelPermutation shuffle = new FeistelPermutation(windowRows,
                OrderHashes.permutationKey(plan.seed(), epoch, OrderHashes.PURPOSE_BLOCK_WINDOW, windowIndex));
        long shuffled = windowStart + shuffle.apply(position - windowStart);
        int slot = slotContaining(shuffled, firstSlot, endSlot);
        return slotOrigin[slot] + (shuffled - slotStart[slot]);
    }

    /** The slot j in [from, to) with slotStart[j] <= position < slotStart[j + 1]. */
    private int slotContaining(long position, int from, int to) {
        int low = from;
        int high = to - 1;
        while (low < high) {
            int middle = (low + high + 1) >>> 1;
            if (slotStart[middle] <= position) {
                low = middle;
            } else {
                high = middle - 1;
            }
        }
        return low;
    }

    /** The dataset rows of rank's slice of global batch step; see {@link OrderPlan#samplesFor}. */
    public long[] samplesFor(long step, int rank, int worldSize) {
        long steps = plan.stepsPerEpoch();
        if (step < 0 || step >= steps) {
            throw new LodeException("Step " + step + " is outside epoch " + epoch + ", which has " + steps + " steps");
        }
        int batchSize = plan.globalBatchSize();
        Batching.checkWorld(batchSize, rank, worldSize);
        long batchStart = step * batchSize;
        long start;
        int length;
        if (plan.tailPolicy() == TailPolicy.PARTIAL && batchStart + batchSize > rowCount) {
            long lastBatch = rowCount - batchStart;
            long part = lastBatch / worldSize;
            long longer = lastBatch % worldSize;
            start = batchStart + rank * part + Math.min(rank, longer);
            length = (int) (part + (rank < longer ? 1 : 0));
        } else {
            int slice = batchSize / worldSize;
            start = batchStart + (long) rank * slice;
            length = slice;
        }
        long[] samples = new long[length];
        for (int i = 0; i < length; i++) {
            // Only the pad policy reaches positions >= N: they wrap to the start of this epoch's order.
            samples[i] = sampleAt((start + i) % rowCount);
        }
        return samples;
    }

    @Override
    public String toString() {
        return "EpochOrder[epoch=" + epoch + ", mode=" + plan.mode().token() + ", rows=" + rowCount + "]";
    }
}
