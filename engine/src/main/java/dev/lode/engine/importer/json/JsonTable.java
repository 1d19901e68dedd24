package dev.lode.engine.importer.json;

import dev.lode.engine.importer.ImportContext;
import dev.lode.engine.importer.ImportException;
import dev.lode.engine.importer.ImportTable;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The second pass: reads each source again, in order, into batches of at most {@value #BATCH_ROWS} rows. */
final class JsonTable implements ImportTable {
    static final int BATCH_ROWS = 8192;

    private final Schema schema;
    private final JsonColumn root;
    private final List<Path> sources;
    private final ImportContext context;
    private boolean read;

    JsonTable(Schema schema, JsonColumn root, List<Path> sources, ImportContext context) {
        this.schema = schema;
        this.root = root;
        this.sources = List.copyOf(sources);
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
        List<Field> fields = schema.getFields();
        for (Path file : sources) {
            try (JsonRecords records = new JsonRecords(file, context.bytesRead())) {
                JsonRecords.JsonRecord record = records.next();
                while (record != null) {
                    try (VectorSchemaRoot batch = VectorSchemaRoot.create(schema, context.allocator())) {
                        batch.allocateNew();
                        FieldVector[] vectors = batch.getFieldVectors().toArray(new FieldVector[0]);
                        int row = 0;
                        while (record != null && row < BATCH_ROWS) {
                            for (int c = 0; c < vectors.length; c++) {
                                String name = fields.get(c).getName();
                                try {
                                    root.children().get(name).write(vectors[c], row,
                                            record.value().members().get(name));
                                } catch (ClassCastException e) {
                                    throw new ImportException(file, "line " + record.line(),
                                            "the file changed while it was imported: key \"" + name
                                                    + "\" no longer matches its inferred type", e);
                                }
                            }
                            row++;
                            record = records.next();
                        }
                        for (FieldVector vector : vectors) {
                            vector.setValueCount(row);
                        }
                        batch.setRowCount(row);
                        consumer.accept(batch);
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        // Nothing is held between reads: each read opens and closes its files.
    }
}
