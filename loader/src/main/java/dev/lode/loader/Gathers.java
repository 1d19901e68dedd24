package dev.lode.loader;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Gathering rows picked by sample indices into a slab's column regions: plain loops over off-heap memory that
 * allocate nothing. Bounds are checked by the segments; an index outside the source throws
 * {@link IndexOutOfBoundsException}.
 */
public final class Gathers {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    private Gathers() {
    }

    /**
     * Copies one fixed-width field of count rows: for i in [0, count), the fieldBytes at
     * {@code indices[from + i] * rowStride + fieldOffset} of source go to {@code destinationOffset + i * fieldBytes}
     * of destination, so the rows land packed, in index order, as an Arrow data buffer wants them.
     */
    public static void fixedWidth(MemorySegment source, long rowStride, long fieldOffset, long fieldBytes,
                                  long[] indices, int from, int count,
                                  MemorySegment destination, long destinationOffset) {
        // Small scalar fields go through one load and store; a MemorySegment.copy call costs more than it moves.
        if (fieldBytes == 1) {
            for (int i = 0; i < count; i++) {
                destination.set(ValueLayout.JAVA_BYTE, destinationOffset + i,
                        source.get(ValueLayout.JAVA_BYTE, indices[from + i] * rowStride + fieldOffset));
            }
        } else if (fieldBytes == 2) {
            for (int i = 0; i < count; i++) {
                destination.set(SHORT, destinationOffset + 2L * i,
                        source.get(SHORT, indices[from + i] * rowStride + fieldOffset));
            }
        } else if (fieldBytes == 4) {
            for (int i = 0; i < count; i++) {
                destination.set(INT, destinationOffset + 4L * i,
                        source.get(INT, indices[from + i] * rowStride + fieldOffset));
            }
        } else if (fieldBytes == 8) {
            for (int i = 0; i < count; i++) {
                destination.set(LONG, destinationOffset + 8L * i,
                        source.get(LONG, indices[from + i] * rowStride + fieldOffset));
            }
        } else {
            for (int i = 0; i < count; i++) {
                MemorySegment.copy(source, indices[from + i] * rowStride + fieldOffset,
                        destination, destinationOffset + i * fieldBytes, fieldBytes);
            }
        }
    }

    /**
     * Copies bitsPerRow bits per row: for i in [0, count), bits [indices[from + i] * bitsPerRow, + bitsPerRow) of the
     * source bitmap go to bit {@code (destinationFirstRow + i) * bitsPerRow} of the bitmap at destinationOffset, so
     * validity bitmaps and bit-packed bool data land as Arrow wants them, also when a run of rows starts at a bit
     * offset that is no multiple of 8. Bitmaps are LSB first, as in Arrow.
     */
    public static void bits(MemorySegment source, long bitsPerRow, long[] indices, int from, int count,
                            MemorySegment destination, long destinationOffset, long destinationFirstRow) {
        long destinationBit = destinationOffset * 8 + destinationFirstRow * bitsPerRow;
        if (bitsPerRow == 1) {
            for (int i = 0; i < count; i++) {
                setBit(destination, destinationBit + i, bit(source, indices[from + i]));
            }
        } else {
            for (int i = 0; i < count; i++) {
                copyBits(source, indices[from + i] * bitsPerRow, destination, destinationBit + i * bitsPerRow,
                        bitsPerRow);
            }
        }
    }

    /** Sets count bits of the bitmap at destinationOffset, from bit firstBit on, to 1. */
    public static void setBits(MemorySegment destination, long destinationOffset, long firstBit, long count) {
        long bit = destinationOffset * 8 + firstBit;
        long end = bit + count;
        while (bit < end && (bit & 7) != 0) {
            setBit(destination, bit++, true);
        }
        long fullBytes = (end - bit) / 8;
        if (fullBytes > 0) {
            destination.asSlice(bit / 8, fullBytes).fill((byte) 0xFF);
            bit += fullBytes * 8;
        }
        while (bit < end) {
            setBit(destination, bit++, true);
        }
    }

    /** Copies bits [sourceBit, + count) of source to [destinationBit, + count) of destination (absolute bits). */
    public static void copyBits(MemorySegment source, long sourceBit, MemorySegment destination, long destinationBit,
                                long count) {
        if ((sourceBit & 7) == 0 && (destinationBit & 7) == 0) {
            long fullBytes = count / 8;
            MemorySegment.copy(source, sourceBit / 8, destination, destinationBit / 8, fullBytes);
            for (long k = fullBytes * 8; k < count; k++) {
                setBit(destination, destinationBit + k, bit(source, sourceBit + k));
            }
            return;
        }
        for (long k = 0; k < count; k++) {
            setBit(destination, destinationBit + k, bit(source, sourceBit + k));
        }
    }

    /** Zero bits among the first count bits of the bitmap at offset: the null count of a validity bitmap. */
    public static long zeroBits(MemorySegment bitmap, long offset, long count) {
        long ones = 0;
        long k = 0;
        for (; k + 64 <= count; k += 64) {
            ones += Long.bitCount(bitmap.get(LONG, offset + k / 8));
        }
        for (; k < count; k++) {
            ones += (bitmap.get(ValueLayout.JAVA_BYTE, offset + k / 8) >>> (k & 7)) & 1;
        }
        return count - ones;
    }

    static boolean bit(MemorySegment bitmap, long bit) {
        return ((bitmap.get(ValueLayout.JAVA_BYTE, bit >>> 3) >>> (bit & 7)) & 1) != 0;
    }

    private static void setBit(MemorySegment bitmap, long bit, boolean value) {
        long index = bit >>> 3;
        byte current = bitmap.get(ValueLayout.JAVA_BYTE, index);
        int mask = 1 << (bit & 7);
        bitmap.set(ValueLayout.JAVA_BYTE, index, (byte) (value ? current | mask : current & ~mask));
    }

    /** {@link #fixedWidth} into the data region of a fixed-width or tensor column of a slab. */
    public static void column(MemorySegment source, long rowStride, long fieldOffset, long[] indices, int from,
                              int count, MemorySegment slab, SlabLayout.ColumnRegions column) {
        long rowBytes = column.column().rowBytes();
        if ((long) count * rowBytes > column.data().length()) {
            throw new IllegalArgumentException("Cannot gather " + count + " rows into column "
                    + column.column().name() + ": its region holds " + column.data().length() / rowBytes);
        }
        fixedWidth(source, rowStride, fieldOffset, rowBytes, indices, from, count, slab, column.data().offset());
    }

    /**
     * Gathers variable-width values into a binary or utf8 column: row r of the source is bytes
     * [sourceOffsets[r], sourceOffsets[r+1]) of sourceData, with sourceOffsets as int64. Writes the int32 Arrow
     * offsets (count + 1 of them) and the packed values.
     *
     * @return the data bytes written
     * @throws IllegalArgumentException when the values exceed the column's data region
     */
    public static long variableWidth(MemorySegment sourceOffsets, MemorySegment sourceData, long[] indices, int from,
                                     int count, MemorySegment slab, SlabLayout.ColumnRegions column) {
        if (column.offsets().length() < 4L * (count + 1)) {
            throw new IllegalArgumentException("Cannot gather " + count + " rows into column "
                    + column.column().name() + ": its offsets hold " + (column.offsets().length() / 4 - 1));
        }
        long offsets = column.offsets().offset();
        long data = column.data().offset();
        long capacity = column.data().length();
        long written = 0;
        slab.set(INT, offsets, 0);
        for (int i = 0; i < count; i++) {
            long row = indices[from + i];
            long start = sourceOffsets.get(LONG, row * 8);
            long length = sourceOffsets.get(LONG, row * 8 + 8) - start;
            if (written + length > capacity) {
                throw new IllegalArgumentException("Cannot gather row " + row + " into column "
                        + column.column().name() + ": " + (written + length) + " bytes exceed its "
                        + capacity + "-byte data region");
            }
            MemorySegment.copy(sourceData, start, slab, data + written, length);
            written += length;
            slab.set(INT, offsets + 4L * (i + 1), (int) written);
        }
        return written;
    }
}
