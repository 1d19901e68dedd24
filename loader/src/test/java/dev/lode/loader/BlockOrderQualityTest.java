package dev.lode.loader;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bounds asserted here are the ones docs/ORDER.md, "Block mode quality", promises. */
class BlockOrderQualityTest {
    private static final int GROUPS = 1000;
    private static final int ROWS_PER_GROUP = 1000;
    private static final int WINDOW = 4;
    private static final int BATCH = 256;

    record Quality(double correlation, double meanDistance, double rowGroupsPerBatch, int rowGroupsPerWindow) {
    }

    static Quality measure(OrderPlan plan, long epoch) {
        EpochOrder order = plan.epoch(epoch);
        DatasetLayout layout = plan.layout();
        long n = order.size();
        double sumX = 0;
        double sumY = 0;
        double sumXY = 0;
        double sumXX = 0;
        double sumYY = 0;
        double distance = 0;
        long previous = -1;
        long batches = 0;
        long groupsTouched = 0;
                Set<Integer> batchGroups = new HashSet<>();
        // With equal row groups a window is exactly k * rows positions: count the row groups of each such chunk.
        long chunk = (long) WINDOW * ROWS_PER_GROUP;
        Set<Integer> chunkGroups = new HashSet<>();
        int maxChunkGroups = 0;
        for (long p = 0; p < n; p++) {
            long sample = order.sampleAt(p);
            sumX += p;
            sumY += sample;
            sumXY += (double) p * sample;
            sumXX += (double) p * p;
            sumYY += (double) sample * sample;
            if (previous >= 0) {
                distance += Math.abs(sample - previous);
            }
            int group = layout.rowGroupOf(sample);
            batchGroups.add(group);
            if ((p + 1) % BATCH == 0) {
                groupsTouched += batchGroups.size();
                batches++;
                batchGroups.clear();
            }
            chunkGroups.add(group);
            if ((p + 1) % chunk == 0) {
                maxChunkGroups = Math.max(maxChunkGroups, chunkGroups.size());
                chunkGroups.clear();
            }
            previous = sample;
        }
        double covariance = sumXY / n - (sumX / n) * (sumY / n);
        double varianceX = sumXX / n - (sumX / n) * (sumX / n);
        double varianceY = sumYY / n - (sumY / n) * (sumY / n);
        return new Quality(covariance / Math.sqrt(varianceX * varianceY), distance / (n - 1),
                (double) groupsTouched / batches, maxChunkGroups);
    }

    @Test
    void blockOrderIsUncorrelatedYetReadsFewRowGroups() {
        long[] rows = new long[GROUPS];
        Arrays.fill(rows, ROWS_PER_GROUP);
        DatasetLayout layout = DatasetLayout.ofRowGroups(rows);
        long n = (long) GROUPS * ROWS_PER_GROUP;
        for (long seed : new long[] {0, 1, 42}) {
            OrderPlan block = OrderPlan.block(TestRandom.COMMIT, layout, WINDOW, seed, BATCH, TailPolicy.DROP);
            OrderPlan global = new OrderPlan(TestRandom.COMMIT, layout, OrderMode.GLOBAL, seed, BATCH, TailPolicy.DROP, 0);
            Quality blockQuality = measure(block, 0);
            Quality globalQuality = measure(global, 0);
            System.out.printf("seed %d: block %s%n        global %s%n", seed, blockQuality, globalQuality);
            assertTrue(Math.abs(blockQuality.correlation()) < 0.1, "block correlation " + blockQuality);
            // Consecutive samples are rows of random row groups of a window: mean |distance| near (1 - 1/k) N / 3.
            assertTrue(blockQuality.meanDistance() > 0.5 * (1 - 1.0 / WINDOW) * n / 3, "block distance " + blockQuality);
            // A batch touches at most k + 1 row groups when it straddles two windows; global touches ~B of them.
            assertTrue(blockQuality.rowGroupsPerBatch() <= WINDOW + 1, "block row groups " + blockQuality);
            assertTrue(globalQuality.rowGroupsPerBatch() > 10 * blockQuality.rowGroupsPerBatch(), "global " + globalQuality);
            // Every window of k * 1000 consecutive positions reads exactly its k row groups.
            assertTrue(blockQuality.rowGroupsPerWindow() == WINDOW, "window row groups " + blockQuality);
        }
    }

    @Test
    void lookupCostIsConstantPerPosition() {
        long[] rows = new long[100_000];
        Arrays.fill(rows, 10_000);
        OrderPlan[] plans = {
                OrderPlan.global(TestRandom.COMMIT, 1_000_000_000L, 7, BATCH, TailPolicy.DROP),
                OrderPlan.global(TestRandom.COMMIT, 1L << 40, 7, BATCH, TailPolicy.DROP),
                OrderPlan.block(TestRandom.COMMIT, DatasetLayout.ofRowGroups(rows), WINDOW, 7, BATCH, TailPolicy.DROP),
        };
        for (OrderPlan plan : plans) {
            EpochOrder order = plan.epoch(0);
            long sink = 0;
            int count = 2_000_000;
            for (int round = 0; round < 3; round++) {
                long start = System.nanoTime();
                long offset = (long) round * 7_919_993;
                for (int i = 0; i < count; i++) {
                    sink += order.sampleAt((offset + (long) i * 104_729) % order.size());
                }
                long elapsed = System.nanoTime() - start;
                if (round == 2) {
                    System.out.printf("%s: %.1f ns per position (sink %d)%n", plan.mode().token() + " N="
                            + plan.rowCount(), (double) elapsed / count, sink);
                    // Generous: catches an accidental O(N) lookup, not a slow machine.
                    assertTrue(elapsed / count < 20_000, plan + ": " + elapsed / count + " ns per position");
                }
            }
        }
    }
}
