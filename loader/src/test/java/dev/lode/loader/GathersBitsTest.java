package dev.lode.loader;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The bitmap helpers against a bit-by-bit model, at every alignment of source and destination. */
class GathersBitsTest {
    private static final int BYTES = 64;

    private static boolean bit(MemorySegment bitmap, long bit) {
        return ((bitmap.get(ValueLayout.JAVA_BYTE, bit / 8) >> (bit % 8)) & 1) != 0;
    }

    private static MemorySegment random(Arena arena, Random random) {
        MemorySegment segment = arena.allocate(BYTES);
        for (int i = 0; i < BYTES; i++) {
            segment.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt());
        }
        return segment;
    }

    @Test
    void copyBitsSetBitsAndZeroBitsMatchABitByBitModel() {
        Random random = TestRandom.create("GathersBitsTest");
        try (Arena arena = Arena.ofConfined()) {
            for (int trial = 0; trial < 2000; trial++) {
                MemorySegment source = random(arena, random);
                MemorySegment destination = random(arena, random);
                MemorySegment before = arena.allocate(BYTES);
                MemorySegment.copy(destination, 0, before, 0, BYTES);
                long sourceBit = random.nextInt(100);
                long destinationBit = random.nextInt(100);
                long count = random.nextInt(BYTES * 8 - 100);
                String what = "trial " + trial + ": " + count + " bits from " + sourceBit + " to " + destinationBit;
                if (trial % 2 == 0) {
                    Gathers.copyBits(source, sourceBit, destination, destinationBit, count);
                } else {
                    Gathers.setBits(destination, 0, destinationBit, count);
                }
                for (long k = 0; k < BYTES * 8; k++) {
                    boolean inside = k >= destinationBit && k < destinationBit + count;
                    boolean expected = !inside ? bit(before, k)
                            : trial % 2 != 0 || bit(source, sourceBit + k - destinationBit);
                    assertEquals(expected, bit(destination, k), what + ", bit " + k);
                }
                long zeros = 0;
                long offset = random.nextInt(8);
                long bits = random.nextInt((int) (BYTES - offset) * 8);
                for (long k = 0; k < bits; k++) {
                    zeros += bit(source, offset * 8 + k) ? 0 : 1;
                }
                assertEquals(zeros, Gathers.zeroBits(source, offset, bits), "zero bits, " + what);
            }
        }
    }

    @Test
    void bitsGathersRowsOfAnyWidthToAnyFirstRow() {
        Random random = TestRandom.create("GathersBitsTest.bits");
        try (Arena arena = Arena.ofConfined()) {
            for (int trial = 0; trial < 500; trial++) {
                int bitsPerRow = 1 + random.nextInt(19);
                int sourceRows = (BYTES * 8) / bitsPerRow;
                int count = random.nextInt(Math.min(20, sourceRows));
                long firstRow = random.nextInt(5);
                long offset = random.nextInt(4);
                if ((offset * 8 + (firstRow + count) * bitsPerRow) > BYTES * 8L) {
                    continue;
                }
                MemorySegment source = random(arena, random);
                MemorySegment destination = random(arena, random);
                long[] indices = new long[count + 2];
                for (int i = 0; i < indices.length; i++) {
                    indices[i] = random.nextInt(sourceRows);
                }
                Gathers.bits(source, bitsPerRow, indices, 2, count, destination, offset, firstRow);
                for (int i = 0; i < count; i++) {
                    for (int k = 0; k < bitsPerRow; k++) {
                        assertEquals(bit(source, indices[2 + i] * bitsPerRow + k),
                                bit(destination, offset * 8 + (firstRow + i) * bitsPerRow + k),
                                "trial " + trial + ", row " + i + ", bit " + k + " of " + bitsPerRow);
                    }
                }
            }
        }
    }
}
