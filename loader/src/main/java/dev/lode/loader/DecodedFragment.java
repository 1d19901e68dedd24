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
 * is rows x rowBytes packed bytes; a binary or utf8 column is rows + 1 int64 offsets into its packed values. The
 * memory belongs to a shared arena that {@link #free()} closes; the cache frees a fragment only while nobody reads
 * it.
 */
final class DecodedFragment {
    private static final int DECODE_BATCH_ROWS = 4096;

    private final ObjectId object;
    private final long rows;
    private final Arena arena;
    private final MemorySegment[] data;
    private final MemorySegment[] offsets;
    private final long bytes;

    private DecodedFragment(ObjectId object, long rows, Arena arena, MemorySegment[] data, MemorySegment[] offsets) {
        this.object = object;
        this.rows = rows;
        this.arena = arena;
        this.data = data;
        this.offsets = offsets;
        long total = 0;
        for (int c = 0; c < data.length; c++) {
            total += data[c].byteSize() + (offsets[c] == null ? 0 : offsets[c].byteSize());
        }
        this.bytes = total;
    }

    /** A fragment over memory filled elsewhere (a mapped cache file); {@link #free()} closes the arena. */
    static DecodedFragment of(ObjectId object, long rows, Arena arena, MemorySegment[] data, MemorySegment[] offsets) {
        return new DecodedFragment(object, rows, arena, data, offsets);
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
     * @throws LodeException when the fragment holds a null in a loaded column, or not expectedRows rows
     */
    static DecodedFragment decode(Repository repository, ObjectId object, long expectedRows,
                                  List<SlabColumn> columns, BufferAllocator allocator) throws IOException {
        Path file = repository.objects().newTemporaryFile("loader-fragment");
        Arena arena = Arena.ofShared();
        try {
            repository.objects().copyTo(object, file);
            Builder builder = new Builder(object, expectedRows, columns, arena);
            FragmentReader.read(file, allocator, DECODE_BATCH_ROWS, builder::append);
            return builder.finish();
        } catch (IOException | RuntimeException failure) {
            arena.close();
            throw failure;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static final class Builder {
        private final ObjectId object;
        private final long expectedRows;
        private final List<SlabColumn> columns;
        private final Arena arena;
        private final MemorySegment[] data;
        private final long[][] variableOffsets;
        private final ByteArrayOutputStream[] variableData;
        private long row;

        Builder(ObjectId object, long expectedRows, List<SlabColumn> columns, Arena arena) {
            this.object = object;
            this.expectedRows = expectedRows;
            this.columns = columns;
            this.arena = arena;
            int count = columns.size();
            data = new MemorySegment[count];
            variableOffsets = new long[count][];
            variableData = new ByteArrayOutputStream[count];
            for (int c = 0; c < count; c++) {
                SlabColumn column = columns.get(c);
                if (isVariable(column)) {
                    variableOffsets[c] = new long[Math.toIntExact(expectedRows + 1)];
                    variableData[c] = new ByteArrayOutputStream();
                } else {
                    data[c] = arena.allocate(Math.max(1, Math.multiplyExact(column.rowBytes(), expectedRows)), 64);
                }
            }
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
                checkNoNulls(column, vector, count);
                switch (column.kind()) {
                    case FIXED -> copy(vector.getDataBuffer(), (long) count * column.rowBytes(), data[c],
                            row * column.rowBytes());
                    case TENSOR -> {
                        FixedSizeListVector list = (FixedSizeListVector) vector;
                        if (list.getListSize() != column.listSize()) {
                            throw corrupt("column '" + column.name() + "' has lists of " + list.getListSize()
                                    + " items, the schema says " + column.listSize());
                        }
                        FieldVector items = list.getDataVector();
                        checkNoNulls(column, items, count * column.listSize());
                        copy(items.getDataBuffer(), (long) count * column.rowBytes(), data[c],
                                row * column.rowBytes());
                    }
                    case BINARY, UTF8 -> appendVariable(c, (BaseVariableWidthVector) vector, count);
                }
            }
            row += count;
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

        private void checkNoNulls(SlabColumn column, FieldVector vector, int count) {
            if (vector.getNullCount() == 0) {
                return;
            }
            for (int i = 0; i < count; i++) {
                if (vector.isNull(i)) {
                    throw new LodeException("Cannot load column '" + column.name() + "' of fragment " + object
                            + ": row " + (row + i) + " of the fragment is null, and the loader delivers no nulls"
                            + " (leave the column out with columns(...))");
                }
            }
        }

        private static void copy(ArrowBuf source, long length, MemorySegment target, long targetOffset) {
            if (length == 0) {
                return;
            }
            MemorySegment from = MemorySegment.ofAddress(source.memoryAddress()).reinterpret(length);
            MemorySegment.copy(from, 0, target, targetOffset, length);
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
            return new DecodedFragment(object, expectedRows, arena, data, offsets);
        }

        private LodeException corrupt(String what) {
            return new LodeException("Fragment " + object + " " + what);
        }
    }

    static boolean isVariable(SlabColumn column) {
        return column.kind() == SlabColumn.Kind.BINARY || column.kind() == SlabColumn.Kind.UTF8;
    }
}
