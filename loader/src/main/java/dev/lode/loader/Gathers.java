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
