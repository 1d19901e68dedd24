package dev.lode.loader;

import dev.lode.engine.LodeException;
import dev.lode.engine.ObjectId;
import dev.lode.engine.Repository;
import dev.lode.engine.parquet.FragmentReader;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The selected columns of one fragment, decoded once into fixed-width off-heap form: a fixed-width or tensor column
 * is rows x rowBits packed bits (whole bytes per row unless bit-packed, as bool is); a binary or utf8 column is
 * rows + 1 int64 offsets into its packed values. A nullable column also keeps a validity bitmap of rows bits, and a
 * tensor with nullable items one of rows x listSize bits (LSB first, as Arrow). The memory belongs to a shared arena
 * that {@link #free()} closes; the cache frees a fragment only while nobody reads it.
 */
final class DecodedFragment {
    private static final int DECODE_BATCH_ROWS = 4096;

    private final ObjectId object;
    private final long rows;
    private final Arena arena;
    private final MemorySegment[] data;
    private final MemorySegment[] offsets;
    private final MemorySegment[] validity;
    private final MemorySegment[] itemValidity;
    private final long bytes;

    private DecodedFragment(ObjectId object, long rows, Arena arena, MemorySegment[] data, MemorySegment[] offsets,
                            MemorySegment[] validity, MemorySegment[] itemValidity) {
        this.object = object;
        this.rows = rows;
        this.arena = arena;
        this.data = data;
        this.offsets = offsets;
        this.validity = validity;
        this.itemValidity = itemValidity;
        long total = 0;
        for (int c = 0; c < data.length; c++) {
            total += data[c].byteSize() + size(offsets[c]) + size(validity[c]) + size(itemValidity[c]);
        }
        this.bytes = total;
    }

    /** A fragment over memory filled elsewhere (a mapped cache file); {@link #free()} closes the arena. */
    static DecodedFragment of(ObjectId object, long rows, Arena arena, MemorySegment[] data, MemorySegment[] offsets,
                              MemorySegment[] validity, MemorySegment[] itemValidity) {
        return new DecodedFragment(object, rows, arena, data, offsets, validity, itemValidity);
    }

    private static long size(MemorySegment segment) {
        return segment == null ? 0 : segment.byteSize();
    }

    ObjectId object() {
        return object;
    }

    long rows() {
        return rows;
    }

    /** The packed values of column c (in loader column order). */
    MemorySegment data(int column) {
        return data[column];
    }

    /** The rows + 1 int64 offsets of variable-width column c into {@link #data(int)}; null for fixed width. */
    MemorySegment offsets(int column) {
        return offsets[column];
    }

    /** The validity bitmap (rows bits) of column c; null when the column is not nullable. */
    MemorySegment validity(int column) {
        return validity[column];
    }

    /** The item validity bitmap (rows x listSize bits) of tensor column c; null unless its items are nullable. */
    MemorySegment itemValidity(int column) {
        return itemValidity[column];
    }

    /** Off-heap bytes held. */
    long bytes() {
        return bytes;
    }

    void free() {
        arena.close();
    }

    /**
     * Copies the object (verified) to a temporary file, reads its Parquet and keeps the columns off-heap.
     *
     * @throws LodeException when the fragment holds a null in a non-nullable column, or not expectedRows rows
     */
    static DecodedFragment decode(Repository repository, ObjectId object, long expectedRows,
                                  List<SlabColumn> columns, BufferAllocator allocator) throws IOException {
        Path file = repository.objects().newTemporaryFile("loader-fragment");
        Builder builder = new Builder(object, expectedRows, columns);
        try {
            repository.objects().copyTo(object, file);
            FragmentReader.read(file, allocator, DECODE_BATCH_ROWS, builder::append);
            return builder.finish();
        } catch (IOException | RuntimeException failure) {
            builder.abandon();
            throw failure;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Collects the fragment's rows from Arrow batches in order. {@link #finish()} hands the memory to the fragment;
     * {@link #abandon()} frees it after a failure.
     */
    static final class Builder {
        private final ObjectId object;
        private final long expectedRows;
        private final List<SlabColumn> columns;
        private final Arena arena = Arena.ofShared();
        private final MemorySegment[] data;
        private final MemorySegment[] validity;
        private final MemorySegment[] itemValidity;
        private final long[][] variableOffsets;
        private final ByteArrayOutputStream[] variableData;
        private long row;

        Builder(ObjectId object, long expectedRows, List<SlabColumn> columns) {
            this.object = object;
            this.expectedRows = expectedRows;
            this.columns = List.copyOf(columns);
            int count = columns.size();
            data = new MemorySegment[count];
            validity = new MemorySegment[count];
            itemValidity = new MemorySegment[count];
            variableOffsets = new long[count][];
            variableData = new ByteArrayOutputStream[count];
            try {
                for (int c = 0; c < count; c++) {
                    SlabColumn column = columns.get(c);
                    if (isVariable(column)) {
                        variableOffsets[c] = new long[Math.toIntExact(expectedRows + 1)];
                        variableData[c] = new ByteArrayOutputStream();
                    } else {
                        data[c] = allocateBits(Math.multiplyExact(column.rowBits(), expectedRows));
                    }
                    if (column.nullable()) {
                        validity[c] = allocateBits(expectedRows);
                    }
                    if (column.itemsNullable()) {
                        itemValidity[c] = allocateBits(Math.multiplyExact((long) column.listSize(), expectedRows));
                    }
                }
            } catch (RuntimeException failure) {
                arena.close();
                throw failure;
            }
        }

        private MemorySegment allocateBits(long bits) {
            return arena.allocate(Math.max(1, (bits + 7) / 8), 64);
        }

        void append(VectorSchemaRoot root) {
            int count = root.getRowCount();
            if (row + count > expectedRows) {
                throw corrupt("holds more than the " + expectedRows + " rows its manifest entry says");
            }
            for (int c = 0; c < columns.size(); c++) {
                SlabColumn column = columns.get(c);
                FieldVector vector = root.getVector(column.name());
                if (vector == null) {
                    throw corrupt("has no column '" + column.name() + "'");
                }
                appendValidity(column, null, vector, count, validity[c], 1);
                switch (column.kind()) {
                    case FIXED -> appendFixed(column, vector, count, data[c]);
                    case TENSOR -> {
                        FixedSizeListVector list = (FixedSizeListVector) vector;
                        if (list.getListSize() != column.listSize()) {
                            throw corrupt("column '" + column.name() + "' has lists of " + list.getListSize()
                                    + " items, the schema says " + column.listSize());
                        }
                        FieldVector items = list.getDataVector();
                        appendValidity(column, list, items, count, itemValidity[c], column.listSize());
                        appendFixed(column, items, count, data[c]);
                    }
                    case BINARY, UTF8 -> appendVariable(c, (BaseVariableWidthVector) vector, count);
                }
            }
            row += count;
        }

        /**
         * Rows [0, count) of vector, valuesPerRow values each, to bits from row x valuesPerRow of target. For tensor
         * items, parent is the list: items of a null row are null after a Parquet round trip, whatever the schema.
         */
        private void appendValidity(SlabColumn column, FieldVector parent, FieldVector vector, int count,
                                    MemorySegment target, int valuesPerRow) {
            long values = (long) count * valuesPerRow;
            if (target == null) {
                checkNoNulls(column, parent, vector, values, valuesPerRow);
            } else if (vector.getNullCount() == 0) {
                Gathers.setBits(target, 0, row * valuesPerRow, values);
            } else {
                Gathers.copyBits(segment(vector.getValidityBuffer()), 0, target, row * valuesPerRow, values);
            }
        }

        private void appendFixed(SlabColumn column, FieldVector vector, int count, MemorySegment target) {
            long rowBits = column.rowBits();
            Gathers.copyBits(segment(vector.getDataBuffer()), 0, target, row * rowBits, count * rowBits);
        }

        private void appendVariable(int c, BaseVariableWidthVector vector, int count) {
            long[] targetOffsets = variableOffsets[c];
            ByteArrayOutputStream target = variableData[c];
            ArrowBuf sourceOffsets = vector.getOffsetBuffer();
            int first = sourceOffsets.getInt(0);
            int end = sourceOffsets.getInt(4L * count);
            long base = target.size();
            for (int i = 0; i < count; i++) {
                targetOffsets[(int) (row + i + 1)] = base + sourceOffsets.getInt(4L * (i + 1)) - first;
            }
            byte[] values = new byte[end - first];
            vector.getDataBuffer().getBytes(first, values);
            target.writeBytes(values);
        }

        private void checkNoNulls(SlabColumn column, FieldVector parent, FieldVector vector, long count,
                                  int valuesPerRow) {
            if (vector.getNullCount() == 0) {
                return;
            }
            for (int i = 0; i < count; i++) {
                if (vector.isNull(i) && (parent == null || !parent.isNull(i / valuesPerRow))) {
                    throw corrupt("has a null in row " + (row + i / valuesPerRow) + " of column '" + column.name()
                            + "', whose schema says " + (valuesPerRow == 1 ? "it is" : "its items are")
                            + " not nullable");
                }
            }
        }

        private static MemorySegment segment(ArrowBuf buffer) {
            return MemorySegment.ofAddress(buffer.memoryAddress()).reinterpret(buffer.capacity());
        }

        DecodedFragment finish() {
            if (row != expectedRows) {
                throw corrupt("holds " + row + " rows, its manifest entry says " + expectedRows);
            }
            MemorySegment[] offsets = new MemorySegment[columns.size()];
            for (int c = 0; c < columns.size(); c++) {
                if (variableOffsets[c] != null) {
                    offsets[c] = arena.allocate(ValueLayout.JAVA_LONG, expectedRows + 1);
                    MemorySegment.copy(variableOffsets[c], 0, offsets[c], ValueLayout.JAVA_LONG, 0,
                            variableOffsets[c].length);
                    byte[] values = variableData[c].toByteArray();
                    data[c] = arena.allocate(Math.max(1, values.length), 64);
                    MemorySegment.copy(values, 0, data[c], ValueLayout.JAVA_BYTE, 0, values.length);
                }
            }
            return new DecodedFragment(object, expectedRows, arena, data, offsets, validity, itemValidity);
        }

        /** Frees the memory collected so far; the builder is unusable afterwards. */
        void abandon() {
            arena.close();
        }

        private LodeException corrupt(String what) {
            return new LodeException("Fragment " + object + " " + what);
        }
    }

    static boolean isVariable(SlabColumn column) {
        return column.kind() == SlabColumn.Kind.BINARY || column.kind() == SlabColumn.Kind.UTF8;
    }
}
