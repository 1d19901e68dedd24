package dev.lode.loader;

import dev.lode.engine.LodeException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EpochOrderTest {

    private static long[] randomRowGroups(Random random, int groups, int maxRows) {
        long[] rows = new long[groups];
        for (int g = 0; g < groups; g++) {
            rows[g] = 1 + random.nextInt(maxRows);
        }
        return rows;
    }

    private static void assertEpochIsPermutation(EpochOrder order) {
        long size = order.size();
        BitSet seen = new BitSet((int) size);
        for (long p = 0; p < size; p++) {
            long sample = order.sampleAt(p);
            assertTrue(sample >= 0 && sample < size, order + ": position " + p + " -> " + sample);
            assertTrue(!seen.get((int) sample), order + ": row " + sample + " twice");
            seen.set((int) sample);
        }
    }

    @Test
    void blockOrderIsAPermutationForManyLayouts() {
        Random random = TestRandom.create("blockOrderIsAPermutationForManyLayouts");
        for (int trial = 0; trial < 200; trial++) {
            int groups = 1 + random.nextInt(trial < 100 ? 12 : 300);
            long[] rows = randomRowGroups(random, groups, trial % 3 == 0 ? 3 : 200);
            int window = 1 + random.nextInt(Math.min(groups, 6) + 1);
            OrderPlan plan = OrderPlan.block(TestRandom.COMMIT, DatasetLayout.ofRowGroups(rows), window,
                    random.nextLong(), 1, TailPolicy.DROP);
            assertEpochIsPermutation(plan.epoch(random.nextInt(5)));
        }
    }

    @Test
    void blockOrderKeepsEveryWindowToItsRowGroups() {
        Random random = TestRandom.create("blockOrderKeepsEveryWindowToItsRowGroups");
        DatasetLayout layout = DatasetLayout.ofRowGroups(randomRowGroups(random, 50, 40));
        int window = 3;
        EpochOrder order = OrderPlan.block(TestRandom.COMMIT, layout, window, random.nextLong(), 1, TailPolicy.DROP)
                .epoch(0);
        // Walk positions; the row groups seen in each window of positions are exactly `window` groups (fewer at the end).
        List<java.util.Set<Integer>> windows = new ArrayList<>();
        java.util.Set<Integer> current = new java.util.TreeSet<>();
        long position = 0;
        java.util.Set<Integer> used = new java.util.HashSet<>();
        while (position < order.size()) {
            current.add(layout.rowGroupOf(order.sampleAt(position)));
            position++;
            long rowsInCurrent = current.stream().mapToLong(layout::rowGroupRows).sum();
            if (current.size() == Math.min(window, 50 - used.size()) && rowsInCurrent == countSince(windows, layout, position)) {
                windows.add(current);
                used.addAll(current);
                current = new java.util.TreeSet<>();
            }
        }
        assertEquals(50, used.size());
        assertEquals((50 + window - 1) / window, windows.size());
    }

    private static long countSince(List<java.util.Set<Integer>> windows, DatasetLayout layout, long position) {
        long before = windows.stream().flatMap(java.util.Set::stream).mapToLong(layout::rowGroupRows).sum();
        return position - before;
    }

    @Test
    void sequentialOrderIsTheIdentity() {
        EpochOrder order = OrderPlan.sequential(TestRandom.COMMIT, 1000, 10, TailPolicy.DROP).epoch(3);
        for (long p = 0; p < 1000; p++) {
            assertEquals(p, order.sampleAt(p));
        }
    }

    @Test
    void ranksTogetherReadTheWholeBatchForAnyWorldSize() {
        Random random = TestRandom.create("ranksTogetherReadTheWholeBatchForAnyWorldSize");
        for (TailPolicy tail : TailPolicy.values()) {
            for (OrderPlan plan : plans(random, tail)) {
                for (long epoch = 0; epoch < 2; epoch++) {
                    for (long step = 0; step < plan.stepsPerEpoch(); step++) {
                        long[] whole = plan.samplesFor(epoch, step, 0, 1);
                        for (int world : new int[] {1, 2, 4, 8}) {
                            long[] joined = new long[0];
                            for (int rank = 0; rank < world; rank++) {
                                long[] slice = plan.samplesFor(epoch, step, rank, world);
                                long[] next = Arrays.copyOf(joined, joined.length + slice.length);
                                System.arraycopy(slice, 0, next, joined.length, slice.length);
                                joined = next;
                            }
                            assertArrayEquals(whole, joined, plan + " epoch " + epoch + " step " + step + " world " + world);
                            long[] sortedWhole = whole.clone();
                            long[] sortedJoined = joined.clone();
                            Arrays.sort(sortedWhole);
                            Arrays.sort(sortedJoined);
                            assertArrayEquals(sortedWhole, sortedJoined);
                        }
                    }
                }
            }
        }
    }

    private static List<OrderPlan> plans(Random random, TailPolicy tail) {
        long seed = random.nextLong();
        DatasetLayout layout = DatasetLayout.ofRowGroups(randomRowGroups(random, 30, 50));
        return List.of(
                OrderPlan.global(TestRandom.COMMIT, 1003, seed, 64, tail),
                OrderPlan.block(TestRandom.COMMIT, layout, 4, seed, 32, tail),
                OrderPlan.sequential(TestRandom.COMMIT, 999, 8, tail));
    }

    @Test
    void tailPoliciesGiveExactCounts() {
        assertEquals(9, OrderPlan.global(TestRandom.COMMIT, 1000, 1, 100, TailPolicy.DROP).stepsPerEpoch() - 1);
        assertEquals(10, OrderPlan.global(TestRandom.COMMIT, 1050, 1, 100, TailPolicy.DROP).stepsPerEpoch());
        assertEquals(11, OrderPlan.global(TestRandom.COMMIT, 1050, 1, 100, TailPolicy.PAD).stepsPerEpoch());
        assertEquals(11, OrderPlan.global(TestRandom.COMMIT, 1050, 1, 100, TailPolicy.PARTIAL).stepsPerEpoch());
        assertEquals(10, OrderPlan.global(TestRandom.COMMIT, 1000, 1, 100, TailPolicy.PARTIAL).stepsPerEpoch());

        OrderPlan pad = OrderPlan.global(TestRandom.COMMIT, 1050, 1, 100, TailPolicy.PAD);
        long[] last = pad.samplesFor(0, 10, 0, 1);
        assertEquals(100, last.length);
        for (int i = 0; i < 100; i++) {
            long position = 1000 + i;
            assertEquals(pad.epoch(0).sampleAt(position % 1050), last[i]);
        }
        // The last batch of 50 split over 8 ranks: 7 7 6 6 6 6 6 6.
        OrderPlan partial = OrderPlan.global(TestRandom.COMMIT, 1010, 1, 96, TailPolicy.PARTIAL);
        assertEquals(11, partial.stepsPerEpoch());
        int[] sizes = new int[8];
        for (int rank = 0; rank < 8; rank++) {
            sizes[rank] = partial.samplesFor(0, 10, rank, 8).length;
        }
        assertArrayEquals(new int[] {7, 7, 6, 6, 6, 6, 6, 6}, sizes);
        // Pad with B > N wraps more than once.
        OrderPlan tiny = OrderPlan.global(TestRandom.COMMIT, 3, 1, 8, TailPolicy.PAD);
        long[] wrapped = tiny.samplesFor(0, 0, 0, 1);
        for (int i = 0; i < 8; i++) {
            assertEquals(wrapped[i % 3], wrapped[i]);
        }
    }

    @Test
    void verifyEpochPassesForEveryPolicyAndWorldSize() {
        Random random = TestRandom.create("verifyEpochPassesForEveryPolicyAndWorldSize");
        for (TailPolicy tail : TailPolicy.values()) {
            for (OrderPlan plan : plans(random, tail)) {
                for (int world : new int[] {1, 2, 4, 8}) {
                    EpochReport report = OrderCheck.verifyEpoch(plan, 1, world);
                    assertTrue(report.passed(), report.toString());
                    assertEquals(plan.stepsPerEpoch(), report.batchesPerRank());
                    long n = plan.rowCount();
                    long b = plan.globalBatchSize();
                    switch (tail) {
                        case DROP -> {
                            assertEquals(n - n % b, report.distinct());
                            assertEquals(n % b, report.missing());
                        }
                        case PAD -> {
                            assertEquals(n, report.distinct());
                            assertEquals(report.steps() * b, report.delivered());
                            assertEquals(report.steps() * b - n, report.repeated());
                        }
                        case PARTIAL -> {
                            assertEquals(n, report.distinct());
                            assertEquals(n, report.delivered());
                        }
                    }
                }
            }
        }
    }

    @Test
    void errorsSayWhatIsWrong() {
        OrderPlan plan = OrderPlan.global(TestRandom.COMMIT, 1000, 1, 100, TailPolicy.DROP);
        assertEquals("Global batch size 100 is not divisible by world size 8; every rank takes an equal slice of each batch",
                assertThrows(LodeException.class, () -> plan.samplesFor(0, 0, 0, 8)).getMessage());
        assertEquals("Rank 4 is outside [0, 4)",
                assertThrows(LodeException.class, () -> plan.samplesFor(0, 0, 4, 4)).getMessage());
        assertEquals("Step 10 is outside epoch 0, which has 10 steps",
                assertThrows(LodeException.class, () -> plan.samplesFor(0, 10, 0, 4)).getMessage());
        assertEquals("Global batch size 2000 exceeds the 1000 rows of the dataset; with tail policy drop an epoch would"
                        + " have no batch",
                assertThrows(LodeException.class,
                        () -> OrderPlan.global(TestRandom.COMMIT, 1000, 1, 2000, TailPolicy.DROP)).getMessage());
        assertEquals("Window must be 0 for global order (windows apply only to block order), got 4",
                assertThrows(LodeException.class, () -> new OrderPlan(TestRandom.COMMIT, DatasetLayout.ofRows(10),
                        OrderMode.GLOBAL, 1, 1, TailPolicy.DROP, 4)).getMessage());
        assertEquals("Block order needs a window of at least 1 row group, got 0",
                assertThrows(LodeException.class, () -> OrderPlan.block(TestRandom.COMMIT, DatasetLayout.ofRows(10),
                        0, 1, 1, TailPolicy.DROP)).getMessage());
        assertEquals("Row group 1 has 0 rows; every row group needs at least one (leave empty row groups out of the"
                        + " layout)",
                assertThrows(LodeException.class, () -> DatasetLayout.ofRowGroups(3, 0)).getMessage());
        assertEquals("Invalid commit id 'HEAD': expected 64 lowercase hexadecimal digits",
                assertThrows(LodeException.class,
                        () -> OrderPlan.global("HEAD", 10, 1, 1, TailPolicy.DROP)).getMessage());
        assertEquals("Unknown order mode 'random': expected global, block or sequential",
                assertThrows(LodeException.class, () -> OrderMode.parse("random")).getMessage());
        assertEquals(OrderMode.BLOCK, OrderMode.defaultFor(OrderMode.Residence.STORAGE));
        assertEquals(OrderMode.GLOBAL, OrderMode.defaultFor(OrderMode.Residence.LOCAL_MEMORY));
    }

    @Test
    void printerWritesOneLinePerStepAcrossEpochs() throws IOException {
        OrderPlan plan = OrderPlan.sequential(TestRandom.COMMIT, 10, 4, TailPolicy.DROP);
        StringBuilder text = new StringBuilder();
        OrderPrinter.print(text, plan, 1, 2, 1, 3, OrderPrinter.Format.TEXT);
        assertEquals("6 7\n2 3\n6 7\n", text.toString());
        StringBuilder json = new StringBuilder();
        OrderPrinter.print(json, plan, 1, 2, 1, 2, OrderPrinter.Format.JSON);
        assertEquals("{\"epoch\":0,\"rank\":1,\"samples\":[6,7],\"step\":1}\n"
                + "{\"epoch\":1,\"rank\":1,\"samples\":[2,3],\"step\":0}\n", json.toString());
    }
}
