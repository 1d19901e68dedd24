package dev.lode.engine.importer.csv;

import dev.lode.engine.importer.ImportContext;
import dev.lode.engine.importer.ImportException;
import dev.lode.engine.importer.ImportTable;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.List;

/** The second pass: parses the chunks of each source into batches, one per chunk, in file order. */
final class CsvTable implements ImportTable {
    private final Schema schema;
    private final ColumnType[] types;
    private final List<CsvImporter.Source> sources;
    private final ImportContext context;
    private final DeclaredSchema declared;
    private boolean read;

    CsvTable(Schema schema, ColumnType[] types, List<CsvImporter.Source> sources, ImportContext context) {
        this.schema = schema;
        this.types = types.clone();
        this.sources = List.copyOf(sources);
        this.context = context;
        this.declared = null;
    }

    /** A table whose values convert by an explicit schema, already checked by pass one. */
    CsvTable(DeclaredSchema declared, List<CsvImporter.Source> sources, ImportContext context) {
        this.schema = declared.schema();
        this.types = new ColumnType[0];
        this.sources = List.copyOf(sources);
        this.context = context;
        this.declared = declared;
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
        for (CsvImporter.Source source : sources) {
            try (FileChannel channel = CsvImporter.openChannel(source.file())) {
                channel.position(source.skip());
                RecordSplitter splitter = source.splitter(channel, context);
                Chunk first = splitter.next(1);
                InOrder.run(source.header() ? null : first, splitter, context.threads(),
                        chunk -> fill(source, chunk),
                        batch -> {
                            try (batch) {
                                consumer.accept(batch);
                            }
                        },
                        VectorSchemaRoot::close);
            }
        }
    }

    private VectorSchemaRoot fill(CsvImporter.Source source, Chunk chunk) {
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, context.allocator());
        try {
            int columns = types.length;
            FieldVector[] vectors = root.getFieldVectors().toArray(new FieldVector[0]);
            for (FieldVector vector : vectors) {
                if (vector instanceof BaseVariableWidthVector variable) {
                    variable.allocateNew(Math.max(chunk.bytes().length, 1), chunk.records());
                } else {
                    ((BaseFixedWidthVector) vector).allocateNew(chunk.records());
                }
            }
            if (declared != null) {
                int rows = declared.fill(source.file(), chunk, source.delimiter(), vectors);
                for (FieldVector vector : vectors) {
                    vector.setValueCount(rows);
                }
                root.setRowCount(rows);
                return root;
            }
            RecordParser parser = new RecordParser(source.file(), chunk, source.delimiter());
            TextValues values = new TextValues();
            byte[] bytes = chunk.bytes();
            byte[] scratch = new byte[256];
            int row = 0;
            while (parser.next()) {
                if (!parser.checkFieldCount(columns)) {
                    continue;
                }
                for (int c = 0; c < columns; c++) {
                    int start = parser.start(c);
                    int end = parser.end(c);
                    FieldVector vector = vectors[c];
                    ColumnType type = types[c];
                    if (start == end && !parser.isQuoted(c)) {
                        vector.setNull(row);
                        continue;
                    }
                    if (type == ColumnType.STRING) {
                        if (parser.isEscaped(c)) {
                            if (scratch.length < end - start) {
                                scratch = new byte[Math.max(end - start, 2 * scratch.length)];
                            }
                            ((VarCharVector) vector).setSafe(row, scratch, 0, parser.unescape(c, scratch));
                        } else {
                            ((VarCharVector) vector).setSafe(row, bytes, start, end - start);
                        }
                        continue;
                    }
                    if (start == end || parser.isEscaped(c)) {
                        throw changed(parser, c, type);
                    }
                    switch (type) {
                        case INT64 -> {
                            if (!values.parseLong(bytes, start, end)) {
                                throw changed(parser, c, type);
                            }
                            ((BigIntVector) vector).set(row, values.longValue);
                        }
                        case FLOAT64 -> {
                            if (!values.parseDouble(bytes, start, end)) {
                                throw changed(parser, c, type);
                            }
                            ((Float8Vector) vector).set(row, values.doubleValue);
                        }
                        case BOOLEAN -> {
                            int value = TextValues.parseBoolean(bytes, start, end);
                            if (value < 0) {
                                throw changed(parser, c, type);
                            }
                            ((BitVector) vector).set(row, value);
                        }
                        case DATE -> {
                            int days = TextValues.parseDate(bytes, start, end);
                            if (days == TextValues.NOT_A_DATE) {
                                throw changed(parser, c, type);
                            }
                            ((DateDayVector) vector).set(row, days);
                        }
                        case TIMESTAMP -> {
                            long micros = TextValues.parseTimestamp(bytes, start, end);
                            if (micros == TextValues.NOT_A_TIMESTAMP) {
                                throw changed(parser, c, type);
                            }
                            ((TimeStampMicroTZVector) vector).set(row, micros);
                        }
                        default -> throw new IllegalStateException("unexpected column type " + type);
                    }
                }
                row++;
            }
            for (FieldVector vector : vectors) {
                vector.setValueCount(row);
            }
            root.setRowCount(row);
            return root;
        } catch (RuntimeException | Error e) {
            root.close();
            throw e;
        }
    }

    /** Pass one accepted this value for the column's type; only a file changed in between explains a miss. */
    private static ImportException changed(RecordParser parser, int column, ColumnType type) {
        return parser.error(parser.recordLine(), "the file changed while it was imported: field " + (column + 1)
                + " is no longer a " + type.name().toLowerCase(java.util.Locale.ROOT));
    }

    @Override
    public void close() {
        // Nothing is held between reads: each read opens and closes its files.
    }
}
