package dev.lode.engine.importer.hdf5;

import dev.lode.engine.importer.ImportContext;
import dev.lode.engine.importer.ImportException;
import dev.lode.engine.importer.ImportTable;
import io.jhdf.HdfFile;
import io.jhdf.object.message.DataLayout;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

import java.nio.file.Path;
import java.util.List;

/** Reads the planned columns in slices of whole samples, all columns in step. Holds the file open until closed. */
final class Hdf5Table implements ImportTable {
    static final int BATCH_SAMPLES = 8192;
    static final long BATCH_BYTES = 16L << 20;

    private final Path file;
    private final HdfFile hdf;
    private final Schema schema;
    private final List<Hdf5Column> columns;
    private final ImportContext context;
    private boolean read;

    Hdf5Table(Path file, HdfFile hdf, Schema schema, List<Hdf5Column> columns, ImportContext context) {
        this.file = file;
        this.hdf = hdf;
        this.schema = schema;
        this.columns = List.copyOf(columns);
        this.context = context;
    }

    @Override
    public Schema schema() {
        return schema;
    }

    @Override
    public void read(BatchConsumer consumer) throws java.io.IOException {
        if (read) {
            throw new IllegalStateException("the table was already read");
        }
        read = true;
        long sampleBytes = 0;
        for (Hdf5Column column : columns) {
            sampleBytes += column.sampleBytes();
        }
        int batch = (int) Math.max(1, Math.min(BATCH_SAMPLES, BATCH_BYTES / Math.max(1, sampleBytes)));
        long samples = columns.getFirst().samples();
        Object[] whole = new Object[columns.size()];
        for (long first = 0; first < samples; first += batch) {
            int count = (int) Math.min(batch, samples - first);
            try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, context.allocator())) {
                List<FieldVector> vectors = root.getFieldVectors();
                for (int i = 0; i < columns.size(); i++) {
                    Hdf5Column column = columns.get(i);
                    Object slice;
                    try {
                        if (column.dataset().getDataLayout() == DataLayout.COMPACT) {
                            // compact data lives in the object header (at most 64 KiB): read once, then cut
                            if (whole[i] == null) {
                                whole[i] = column.dataset().getData();
                            }
                            slice = java.util.Arrays.copyOfRange((Object[]) boxed(whole[i]), (int) first,
                                    (int) first + count);
                        } else {
                            int[] dimensions = column.dataset().getDimensions();
                            long[] offset = new long[dimensions.length];
                            offset[0] = first;
                            int[] shape = dimensions.clone();
                            shape[0] = count;
                            slice = column.dataset().getData(offset, shape);
                        }
                        column.fill(vectors.get(i), slice, count);
                    } catch (RuntimeException e) {
                        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                        throw new ImportException(file, "dataset " + column.dataset().getPath() + ", samples "
                                + first + " to " + (first + count - 1), "cannot read (truncated or corrupt?): "
                                + message, e);
                    }
                }
                root.setRowCount(count);
                context.bytesRead().accept(count * sampleBytes);
                consumer.accept(root);
            }
        }
    }

    /** A 1-D primitive array as an Object[] of single-element arrays, so that it can be cut like a nested one. */
    private static Object boxed(Object array) {
        if (array instanceof Object[] nested) {
            return nested;
        }
        int length = java.lang.reflect.Array.getLength(array);
        Object[] rows = new Object[length];
        for (int i = 0; i < length; i++) {
            Object one = java.lang.reflect.Array.newInstance(array.getClass().getComponentType(), 1);
            java.lang.reflect.Array.set(one, 0, java.lang.reflect.Array.get(array, i));
            rows[i] = one;
        }
        return rows;
    }

    @Override
    public void close() {
        hdf.close();
    }
}
