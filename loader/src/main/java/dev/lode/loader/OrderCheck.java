package dev.lode.loader;

import dev.lode.engine.LodeException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/** Verifies a whole epoch against the contract of docs/ORDER.md, as {@code lode order --check} does. */
public final class OrderCheck {
    private static final int MAX_PROBLEMS = 20;

    private OrderCheck() {
    }

    /**
     * Reads every rank's slice of every step of the epoch and checks: each row delivered exactly once (drop: at most
     * once, N mod B never; pad: at least once, B * steps in all), all rows in [0, N), every rank given the same
     * number of batches, full batches split into equal slices, and each step's slices concatenated in rank order
     * equal to the world-size-1 batch. Costs O(N) time and N/4 bytes.
     *
     * @throws LodeException when N exceeds 2^31 - 1, the most this check can track
     */
    public static EpochReport verifyEpoch(OrderPlan plan, long epoch, int worldSize) {
        long rowCount = plan.rowCount();
        if (rowCount > Integer.MAX_VALUE) {
            throw new LodeException("Cannot check an epoch of " + rowCount + " rows: at most 2^31 - 1");
        }
        Batching.checkWorld(plan.globalBatchSize(), 0, worldSize);
        EpochOrder order = plan.epoch(epoch);
        List<String> problems = new ArrayList<>();
        BitSet seen = new BitSet((int) rowCount);
        long delivered = 0;
        long repeated = 0;
        long[] batchesPerRank = new long[worldSize];
        long steps = plan.stepsPerEpoch();
        int slice = plan.globalBatchSize() / worldSize;
        for (long step = 0; step < steps; step++) {
            long[] whole = order.samplesFor(step, 0, 1);
            long[] joined = new long[whole.length];
            int filled = 0;
            boolean lastPartial = plan.tailPolicy() == TailPolicy.PARTIAL && whole.length < plan.globalBatchSize();
            for (int rank = 0; rank < worldSize; rank++) {
                long[] samples = order.samplesFor(step, rank, worldSize);
                batchesPerRank[rank]++;
                int expected = lastPartial ? -1 : slice;
                if (expected >= 0 && samples.length != expected) {
                    report(problems, "step " + step + " rank " + rank + " has " + samples.length
                            + " samples, expected " + expected);
                }
                if (lastPartial && Math.abs(samples.length - (long) whole.length / worldSize) > 1) {
                    report(problems, "step " + step + " rank " + rank + " has " + samples.length
                            + " samples of a last batch of " + whole.length + ", not a near-equal part");
                }
                for (long sample : samples) {
                    delivered++;
                    if (sample < 0 || sample >= rowCount) {
                        report(problems, "step " + step + " rank " + rank + " delivers row " + sample
                                + ", outside [0, " + rowCount + ")");
                        continue;
                    }
                    if (seen.get((int) sample)) {
                        repeated++;
                    } else {
                        seen.set((int) sample);
                    }
                }
                if (filled + samples.length <= joined.length) {
                    System.arraycopy(samples, 0, joined, filled, samples.length);
                }
                filled += samples.length;
            }
            if (filled != whole.length || !Arrays.equals(joined, whole)) {
                report(problems, "step " + step + ": the slices of " + worldSize
                        + " ranks, concatenated, differ from the whole batch");
            }
        }
        long distinct = seen.cardinality();
        long missing = rowCount - distinct;
        long batchSize = plan.globalBatchSize();
        switch (plan.tailPolicy()) {
            case DROP -> {
                expect(problems, "repeated rows", repeated, 0);
                expect(problems, "missing rows", missing, rowCount % batchSize);
            }
            case PAD -> {
                expect(problems, "missing rows", missing, 0);
                expect(problems, "delivered rows", delivered, steps * batchSize);
            }
            case PARTIAL -> {
                expect(problems, "repeated rows", repeated, 0);
                expect(problems, "missing rows", missing, 0);
            }
            default -> throw new AssertionError(plan.tailPolicy());
        }
        for (int rank = 0; rank < worldSize; rank++) {
            if (batchesPerRank[rank] != steps) {
                report(problems, "rank " + rank + " received " + batchesPerRank[rank] + " batches, expected " + steps);
            }
        }
        return new EpochReport(epoch, worldSize, plan.tailPolicy(), rowCount, steps, delivered, distinct, repeated,
                missing, steps, problems);
    }

    private static void expect(List<String> problems, String what, long actual, long expected) {
        if (actual != expected) {
            report(problems, what + ": expected " + expected + ", actual " + actual);
        }
    }

    private static void report(List<String> problems, String problem) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(problem);
        }
    }
}
