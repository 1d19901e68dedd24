package dev.lode.loader;

import dev.lode.engine.LodeException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Gathers one batch's rows from decoded fragments into a slab, column by column: data, validity bitmaps of nullable
 * columns and of nullable tensor items, and offsets of variable-width columns. Rows that come from the same fragment
 * in a run are gathered together. Allocates nothing.
 */
final class BatchAssembly {
    private BatchAssembly() {
    }

    /**
     * Fills every column of layout for rows [0, fragments.length): row i is row localRows[i] of fragments[i].
     * {@link ArrowSlabs#wrap} then exposes them.
     *
     * @param globalStep for messages
     * @throws LodeException when the values of a binary or utf8 column exceed its per-batch byte budget
     */
    static void gather(SlabLayout layout, DecodedFragment[] fragments, long[] localRows, MemorySegment slab,
                       long globalStep) {
        int count = fragments.length;
        for (int c = 0; c < layout.columns().size(); c++) {
            SlabLayout.ColumnRegions regions = layout.columns().get(c);
            SlabColumn column = regions.column();
            if (DecodedFragment.isVariable(column)) {
                gatherVariable(c, regions, fragments, localRows, slab, globalStep);
            }
            for (int from = 0; from < count; ) {
                int to = from + 1;
                while (to < count && fragments[to] == fragments[from]) {
                    to++;
                }
                DecodedFragment fragment = fragments[from];
                int run = to - from;
                if (column.nullable()) {
                    Gathers.bits(fragment.validity(c), 1, localRows, from, run, slab, regions.validity().offset(),
                            from);
                }
                if (column.kind() == SlabColumn.Kind.FIXED || column.kind() == SlabColumn.Kind.TENSOR) {
                    if (column.itemsNullable()) {
                        Gathers.bits(fragment.itemValidity(c), column.listSize(), localRows, from, run, slab,
                                regions.childValidity().offset(), from);
                    }
                    if (column.bitPacked()) {
                        Gathers.bits(fragment.data(c), column.rowBits(), localRows, from, run, slab,
                                regions.data().offset(), from);
                    } else {
                        long rowBytes = column.rowBytes();
                        Gathers.fixedWidth(fragment.data(c), rowBytes, 0, rowBytes, localRows, from, run, slab,
                                regions.data().offset() + from * rowBytes);
                    }
                }
                from = to;
            }
        }
    }

    private static void gatherVariable(int c, SlabLayout.ColumnRegions regions, DecodedFragment[] fragments,
                                       long[] localRows, MemorySegment slab, long globalStep) {
        long offsets = regions.offsets().offset();
        long data = regions.data().offset();
        long capacity = regions.data().length();
        long written = 0;
        slab.set(ValueLayout.JAVA_INT_UNALIGNED, offsets, 0);
        for (int i = 0; i < fragments.length; i++) {
            DecodedFragment fragment = fragments[i];
            MemorySegment sourceOffsets = fragment.offsets(c);
            long start = sourceOffsets.get(ValueLayout.JAVA_LONG_UNALIGNED, localRows[i] * 8);
            long length = sourceOffsets.get(ValueLayout.JAVA_LONG_UNALIGNED, localRows[i] * 8 + 8) - start;
            if (written + length > capacity) {
                throw new LodeException("Column '" + regions.column().name() + "' of global step " + globalStep
                        + " needs more than its " + capacity + "-byte budget per batch; raise"
                        + " Loader.Builder.variableBytesPerRow");
            }
            MemorySegment.copy(fragment.data(c), start, slab, data + written, length);
            written += length;
            slab.set(ValueLayout.JAVA_INT_UNALIGNED, offsets + 4L * (i + 1), (int) written);
        }
    }
}
