package dev.lode.loader;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * When a rank next reads each row group: the loader knows its whole future order, so the fragment cache can evict
 * the fragment whose next use is farthest away (Belady's rule), which is optimal for a known sequence. An epoch's
 * index costs one pass over the rank's samples of that epoch and O(touches) ints; the two or three most recent
 * epochs are kept. Thread-safe.
 */
final class FragmentUsage {
    /** A next use that lies beyond the run, or beyond the next epoch. */
    static final long NEVER = Long.MAX_VALUE;
    private static final int KEPT_EPOCHS = 3;

    private final OrderPlan plan;
    private final int rank;
    private final int worldSize;
    private final long endGlobalStep;
    private final Map<Long, int[][]> epochs = new LinkedHashMap<>();

    FragmentUsage(OrderPlan plan, int rank, int worldSize, long endGlobalStep) {
        this.plan = plan;
        this.rank = rank;
        this.worldSize = worldSize;
        this.endGlobalStep = endGlobalStep;
    }

    /** The row groups read by the rank at a global step, ascending, without repeats. */
    int[] rowGroupsAt(long globalStep) {
        long steps = plan.stepsPerEpoch();
        return rowGroupsOf(plan.samplesFor(globalStep / steps, globalStep % steps, rank, worldSize));
    }

    int[] rowGroupsOf(long[] samples) {
        DatasetLayout layout = plan.layout();
        int[] groups = new int[samples.length];
        for (int i = 0; i < samples.length; i++) {
            groups[i] = layout.rowGroupOf(samples[i]);
        }
        return Arrays.stream(groups).sorted().distinct().toArray();
    }

    /** The first global step after globalStep (within its epoch or the next) that reads rowGroup, or NEVER. */
    long nextUseAfter(int rowGroup, long globalStep) {
        long steps = plan.stepsPerEpoch();
        long epoch = globalStep / steps;
        long step = globalStep % steps;
        for (long e = epoch; e <= epoch + 1; e++) {
            if (e * steps >= endGlobalStep) {
                return NEVER;
            }
            int[] uses = epochIndex(e)[rowGroup];
            int found = Arrays.binarySearch(uses, e == epoch ? (int) step + 1 : 0);
            int at = found >= 0 ? found : -found - 1;
            if (at < uses.length && e * steps + uses[at] < endGlobalStep) {
                return e * steps + uses[at];
            }
        }
        return NEVER;
    }

    /** For each row group, the ascending steps of the epoch that read it. */
    private synchronized int[][] epochIndex(long epoch) {
        int[][] index = epochs.get(epoch);
        if (index != null) {
            return index;
        }
        int groups = plan.layout().rowGroupCount();
        int[][] uses = new int[groups][];
        int[] counts = new int[groups];
        for (int g = 0; g < groups; g++) {
            uses[g] = new int[4];
        }
        long steps = plan.stepsPerEpoch();
        // Its own epoch order, so that indexing the next epoch does not evict the plan's cached one.
        EpochOrder order = new EpochOrder(plan, epoch);
        for (long s = 0; s < steps; s++) {
            for (int g : rowGroupsOf(order.samplesFor(s, rank, worldSize))) {
                if (counts[g] == uses[g].length) {
                    uses[g] = Arrays.copyOf(uses[g], uses[g].length * 2);
                }
                uses[g][counts[g]++] = (int) s;
            }
        }
        for (int g = 0; g < groups; g++) {
            uses[g] = Arrays.copyOf(uses[g], counts[g]);
        }
        if (epochs.size() == KEPT_EPOCHS) {
            epochs.remove(epochs.keySet().iterator().next());
        }
        epochs.put(epoch, uses);
        return uses;
    }
}
