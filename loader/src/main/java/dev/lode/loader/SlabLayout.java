package dev.lode.loader;

import java.util.ArrayList;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Where each column of a batch of up to batchSize rows lives inside one slab, as Arrow lays it out: a validity bitmap,
 * for binary / utf8 an int32 offsets buffer of batchSize + 1 entries, for tensors a child validity bitmap, and the
 * data (exactly batchSize rows of it; bool is bit-packed, so its data is a bitmap too). Every region starts at a
 * multiple of {@link #ALIGNMENT} bytes, and regions follow the column order.
 * Immutable.
 */
public final class SlabLayout {
    public static final long ALIGNMENT = 64;

    /** A byte range of the slab; length 0 when the column has no such buffer. */
    public record Region(long offset, long length) {
        public Region {
            if (offset < 0 || length < 0) {
                throw new IllegalArgumentException("Region offset " + offset + ", length " + length);
            }
        }

        public long end() {
            return offset + length;
        }
    }

    /** The regions of one column. */
    public record ColumnRegions(SlabColumn column, Region validity, Region childValidity, Region offsets,
                                Region data) {
    }

    private final int batchSize;
    private final List<ColumnRegions> columns;
    private final long totalBytes;

    private SlabLayout(int batchSize, List<ColumnRegions> columns, long totalBytes) {
        this.batchSize = batchSize;
        this.columns = columns;
        this.totalBytes = totalBytes;
    }

    /**
     * @throws IllegalArgumentException when batchSize is below 1, there are no columns, or two share a name
     */
    public static SlabLayout of(int batchSize, List<SlabColumn> columns) {
        requireNonNull(columns, "columns is null");
        if (batchSize < 1) {
            throw new IllegalArgumentException("Batch size must be >= 1, got " + batchSize);
        }
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("A slab layout needs at least one column");
        }
        List<ColumnRegions> regions = new ArrayList<>();
        long cursor = 0;
        for (SlabColumn column : columns) {
            requireNonNull(column, "column is null");
            for (ColumnRegions earlier : regions) {
                if (earlier.column().name().equals(column.name())) {
                    throw new IllegalArgumentException("Column " + column.name() + " appears twice");
                }
            }
            Region validity = new Region(cursor, bitmapBytes(batchSize));
            cursor = align(validity.end());
            Region childValidity = new Region(cursor, 0);
            Region offsets = new Region(cursor, 0);
            Region data;
            switch (column.kind()) {
                case FIXED -> data = new Region(cursor, bitmapBytes(Math.multiplyExact(column.rowBits(),
                        (long) batchSize)));
                case TENSOR -> {
                    childValidity = new Region(cursor, bitmapBytes((long) batchSize * column.listSize()));
                    cursor = align(childValidity.end());
                    data = new Region(cursor, bitmapBytes(Math.multiplyExact(column.rowBits(), (long) batchSize)));
                }
                default -> {
                    offsets = new Region(cursor, 4L * (batchSize + 1));
                    cursor = align(offsets.end());
                    data = new Region(cursor, column.dataBytes());
                }
            }
            cursor = align(data.end());
            regions.add(new ColumnRegions(column, validity, childValidity, offsets, data));
        }
        return new SlabLayout(batchSize, List.copyOf(regions), cursor);
    }

    public static SlabLayout of(int batchSize, SlabColumn... columns) {
        return of(batchSize, List.of(columns));
    }

    private static long bitmapBytes(long bits) {
        return (bits + 7) / 8;
    }

    private static long align(long offset) {
        return (offset + ALIGNMENT - 1) & -ALIGNMENT;
    }

    public int batchSize() {
        return batchSize;
    }

    public List<ColumnRegions> columns() {
        return columns;
    }

    /** @throws IllegalArgumentException when there is no such column */
    public ColumnRegions column(String name) {
        for (ColumnRegions regions : columns) {
            if (regions.column().name().equals(name)) {
                return regions;
            }
        }
        throw new IllegalArgumentException("No column " + name + " in the slab layout");
    }

    /** Bytes a slab needs for this layout: the end of the last region, rounded up to the alignment. */
    public long totalBytes() {
        return totalBytes;
    }

    @Override
    public String toString() {
        return "SlabLayout[batchSize=" + batchSize + ", columns=" + columns.size() + ", bytes=" + totalBytes + "]";
    }
}
