package dev.lode.loader;

import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class FeistelPermutationTest {

    private static void assertBijection(long size, long key) {
        FeistelPermutation permutation = new FeistelPermutation(size, key);
        BitSet seen = new BitSet((int) size);
        for (long x = 0; x < size; x++) {
            long y = permutation.apply(x);
            if (y < 0 || y >= size) {
                fail("size " + size + " key " + key + ": " + x + " -> " + y + " is out of range");
            }
            if (seen.get((int) y)) {
                fail("size " + size + " key " + key + ": " + x + " -> " + y + " is hit twice");
            }
            seen.set((int) y);
        }
        assertEquals(size, seen.cardinality());
    }

    @Test
    void everySizeUpTo300IsABijection() {
        Random random = TestRandom.create("everySizeUpTo300IsABijection");
        for (long size = 1; size <= 300; size++) {
            assertBijection(size, random.nextLong());
            assertBijection(size, 0);
        }
    }

    @Test
    void primesAndPowersOfTwoAreBijections() {
        Random random = TestRandom.create("primesAndPowersOfTwoAreBijections");
        long[] primes = {2, 3, 5, 7, 11, 13, 101, 1009, 4093, 4099, 65521, 65537, 131071, 524287};
        for (long prime : primes) {
            assertBijection(prime, random.nextLong());
        }
        for (int bits = 1; bits <= 17; bits++) {
            long power = 1L << bits;
            assertBijection(power - 1, random.nextLong());
            assertBijection(power, random.nextLong());
            assertBijection(power + 1, random.nextLong());
        }
    }

    @Test
    void fullEnumerationUpToTwoToTheTwenty() {
        Random random = TestRandom.create("fullEnumerationUpToTwoToTheTwenty");
        for (long size : new long[] {(1 << 20) - 3, 1 << 20, 1_000_003, (1 << 19) + 1}) {
            assertBijection(size, random.nextLong());
        }
    }

    @Test
    void largeDomainsMapIntoRangeWithoutCollisionsOverASample() {
        Random random = TestRandom.create("largeDomainsMapIntoRangeWithoutCollisionsOverASample");
        for (long size : new long[] {1_000_000_000L, 1L << 40, (1L << 40) + 7, FeistelPermutation.MAX_SIZE}) {
            FeistelPermutation permutation = new FeistelPermutation(size, random.nextLong());
            Set<Long> inputs = new HashSet<>();
            Set<Long> outputs = new HashSet<>();
            while (inputs.size() < 200_000) {
                long x = Math.floorMod(random.nextLong(), size);
                if (inputs.add(x)) {
                    long y = permutation.apply(x);
                    assertTrue(y >= 0 && y < size, size + ": " + x + " -> " + y);
                    assertTrue(outputs.add(y), size + ": two inputs map to " + y);
                }
            }
            // A contiguous run of positions, as a batch reads them.
            long start = size - 100_000;
            Set<Long> run = new HashSet<>();
            LongStream.range(start, size).forEach(x -> assertTrue(run.add(permutation.apply(x))));
        }
    }

    @Test
    void domainIsTheSmallestEvenWidth() {
        assertEquals(1, FeistelPermutation.halfBits(1));
        assertEquals(1, FeistelPermutation.halfBits(4));
        assertEquals(2, FeistelPermutation.halfBits(5));
        assertEquals(2, FeistelPermutation.halfBits(16));
        assertEquals(3, FeistelPermutation.halfBits(17));
        assertEquals(15, FeistelPermutation.halfBits(1_000_000_000L));
        assertEquals(20, FeistelPermutation.halfBits(1L << 40));
        assertEquals(31, FeistelPermutation.halfBits(1L << 62));
        IllegalArgumentException tooLarge = assertThrows(IllegalArgumentException.class,
                () -> new FeistelPermutation((1L << 62) + 1, 0));
        assertEquals("Feistel domain size must be in [1, 2^62], got 4611686018427387905", tooLarge.getMessage());
    }

    @Test
    void keysChangeTheOrderAndEqualKeysRepeatIt() {
        long size = 1_000_000;
        FeistelPermutation a = new FeistelPermutation(size, 1);
        FeistelPermutation b = new FeistelPermutation(size, 2);
        FeistelPermutation again = new FeistelPermutation(size, 1);
        int same = 0;
        for (long x = 0; x < 10_000; x++) {
            assertEquals(a.apply(x), again.apply(x));
            if (a.apply(x) == b.apply(x)) {
                same++;
            }
        }
        assertTrue(same < 10, "keys 1 and 2 agree on " + same + " of 10000 positions");
    }

    @Test
    void epochsAndSeedsGiveDifferentOrders() {
        long rows = 100_000;
        OrderPlan plan = OrderPlan.global(TestRandom.COMMIT, rows, 42, 100, TailPolicy.DROP);
        OrderPlan otherSeed = OrderPlan.global(TestRandom.COMMIT, rows, 43, 100, TailPolicy.DROP);
        OrderPlan samePlan = OrderPlan.global(TestRandom.COMMIT, rows, 42, 100, TailPolicy.DROP);
        long[] epoch0 = firstPositions(plan.epoch(0), 1000);
        assertNotEquals(java.util.Arrays.toString(epoch0), java.util.Arrays.toString(firstPositions(plan.epoch(1), 1000)));
        assertNotEquals(java.util.Arrays.toString(epoch0),
                java.util.Arrays.toString(firstPositions(otherSeed.epoch(0), 1000)));
        assertEquals(java.util.Arrays.toString(epoch0), java.util.Arrays.toString(firstPositions(samePlan.epoch(0), 1000)));
        for (OrderMode mode : new OrderMode[] {OrderMode.BLOCK}) {
            DatasetLayout layout = DatasetLayout.ofRowGroups(LongStream.generate(() -> 1000).limit(100).toArray());
            OrderPlan block = new OrderPlan(TestRandom.COMMIT, layout, mode, 7, 100, TailPolicy.DROP, 2);
            OrderPlan blockOtherSeed = new OrderPlan(TestRandom.COMMIT, layout, mode, 8, 100, TailPolicy.DROP, 2);
            long[] first = firstPositions(block.epoch(0), 1000);
            assertNotEquals(java.util.Arrays.toString(first), java.util.Arrays.toString(firstPositions(block.epoch(1), 1000)));
            assertNotEquals(java.util.Arrays.toString(first),
                    java.util.Arrays.toString(firstPositions(blockOtherSeed.epoch(0), 1000)));
        }
    }

    private static long[] firstPositions(EpochOrder order, int count) {
        long[] samples = new long[count];
        for (int i = 0; i < count; i++) {
            samples[i] = order.sampleAt(i);
        }
        return samples;
    }
}
