package dev.lode.engine.importer.matlab;

import dev.lode.engine.importer.ImportContext;
import dev.lode.engine.importer.ImportException;
import dev.lode.engine.importer.ImportTable;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Cuts the variables, already in memory, into batches of whole samples. */
final class MatTable implements ImportTable {
    static final int BATCH_SAMPLES = 8192;
    static final long BATCH_BYTES = 16L << 20;

    private final Path file;
    private final Schema schema;
    private final List<MatColumn> columns;
    private final AutoCloseable resource;
    private final ImportContext context;
    private boolean read;

    MatTable(Path file, Schema schema, List<MatColumn> columns, AutoCloseable resource, ImportContext context) {
        this.file = file;
        this.schema = schema;
        this.columns = List.copyOf(columns);
        this.resource = resource;
        this.context = context;
    }

    @Override
    public Schema schema() {
        return schema;
    }

    @Override
    public void read(BatchConsumer consumer) throws IOException {
        if (read) {
            throw new IllegalStateException("the table was already read");
        }
        read = true;
        long sampleBytes = 0;
        for (MatColumn column : columns) {
            sampleBytes += column.sampleBytes();
        }
        int batch = (int) Math.max(1, Math.min(BATCH_SAMPLES, BATCH_BYTES / Math.max(1, sampleBytes)));
        int samples = columns.getFirst().samples();
        for (int first = 0; first < samples; first += batch) {
            int count = Math.min(batch, samples - first);
            try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, context.allocator())) {
                List<FieldVector> vectors = root.getFieldVectors();
                for (int i = 0; i < columns.size(); i++) {
                    try {
                        columns.get(i).fill(vectors.get(i), first, count);
                    } catch (RuntimeException e) {
                        throw new ImportException(file, "variable " + columns.get(i).variable().name(),
                                "cannot read (truncated or corrupt?): " + e.getMessage(), e);
                    }
                }
                root.setRowCount(count);
                context.bytesRead().accept(count * sampleBytes);
                consumer.accept(root);
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            resource.close();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }
}
