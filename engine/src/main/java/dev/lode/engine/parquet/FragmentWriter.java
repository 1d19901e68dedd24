package dev.lode.engine.parquet;

import dev.lode.engine.LodeException;
import dev.lode.engine.json.Json;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Writes one deterministic Parquet file (a fragment) from Arrow batches: the same rows and schema give the same
 * bytes on every machine and run, however the rows were split over {@link #write} calls.
 *
 * <p>The settings are fixed: one row group holding every row (rows are buffered in memory until {@link #finish()},
 * so callers size fragments with {@link Schemas#estimatedRowBytes}), ZSTD level 3 pages of at most 1 MiB or 20,000
 * rows, dictionary encoding with a 1 MiB dictionary page limit except for FLOAT and DOUBLE columns (Parquet's
 * dictionary hashes floats by value and would merge NaNs with different payloads), Parquet format 1.0 data pages
 * (PARQUET_1_0: the encodings every reader supports; 2.0 pages gain little for our data), page checksums on, no
 * bloom filters. The footer's key-value metadata is only {@code ARROW:schema}; {@code created_by} is parquet-mr's
 * own pinned version string. Not thread-safe.
 */
public final class FragmentWriter implements AutoCloseable {
    static final int PAGE_SIZE = 1 << 20;
    static final int DICTIONARY_PAGE_SIZE = 1 << 20;
    static final int PAGE_ROW_LIMIT = 20_000;

    private final Schema schema;
    private final Path file;
    private final ArrowWriteSupport writeSupport;
    private final ParquetWriter<ArrowWriteSupport.RowCursor> writer;
    private final ArrowWriteSupport.RowCursor cursor = new ArrowWriteSupport.RowCursor();
    private final List<ColumnStatistics> statistics = new ArrayList<>();
    private long rows;
    private boolean done;

    private FragmentWriter(Schema schema, Path file, ArrowWriteSupport writeSupport,
                           ParquetWriter<ArrowWriteSupport.RowCursor> writer) {
        this.schema = schema;
        this.file = file;
        this.writeSupport = writeSupport;
        this.writer = writer;
        for (Field field : schema.getFields()) {
            statistics.add(new ColumnStatistics(field));
        }
    }

    /**
     * Starts one Parquet file at {@code file}, which must not exist, for rows of {@code schema}.
     *
     * @throws LodeException if the schema has a type Lode cannot store
     * @throws FileAlreadyExistsException if the file exists
     */
    public static FragmentWriter create(Schema schema, Path file) throws IOException {
        return create(schema, file, Set.of());
    }

    /**
     * Like {@link #create(Schema, Path)}, for a caller that knows the non-null values of some top-level columns are
     * pairwise distinct in this fragment (for instance strictly increasing). For such a column a dictionary can
     * never pay: its first page holds as many dictionary bytes as plain bytes, so Parquet's writer always falls back
     * to plain encoding and writes no dictionary page. Naming it here skips the doomed attempt (building the
     * dictionary, then re-encoding every value) and gives a byte-identical file. A name is only a promise, not
     * checked: naming a column whose values repeat changes the bytes.
     */
    public static FragmentWriter create(Schema schema, Path file, Set<String> distinctColumns) throws IOException {
        requireNonNull(schema, "schema is null");
        requireNonNull(file, "file is null");
        requireNonNull(distinctColumns, "distinctColumns is null");
        Schemas.toJson(schema); // rejects unsupported types with a message naming the field
        MessageType parquetSchema = ParquetSchemas.toParquet(schema);
        if (Files.exists(file)) {
            throw new FileAlreadyExistsException(file.toString());
        }
        ArrowWriteSupport writeSupport = new ArrowWriteSupport(parquetSchema,
                Map.of(ParquetSchemas.ARROW_SCHEMA_KEY, ParquetSchemas.serialize(schema)));
        Builder builder = new Builder(new LocalOutputFile(file), writeSupport)
                // withConf first: the builder otherwise creates a Hadoop Configuration (see DEPENDENCIES.md).
                .withConf(new PlainParquetConfiguration())
                .withWriteMode(ParquetFileWriter.Mode.CREATE)
                .withCodecFactory(Codecs.INSTANCE)
                .withCompressionCodec(CompressionCodecName.ZSTD)
                .withWriterVersion(ParquetProperties.WriterVersion.PARQUET_1_0)
                .withRowGroupSize(Long.MAX_VALUE)
                .withRowGroupRowCountLimit(Integer.MAX_VALUE)
                .withMaxPaddingSize(0)
                .withPageSize(PAGE_SIZE)
                .withPageRowCountLimit(PAGE_ROW_LIMIT)
                .withMinRowCountForPageSizeCheck(100)
                .withMaxRowCountForPageSizeCheck(10_000)
                .withDictionaryEncoding(true)
                .withDictionaryPageSize(DICTIONARY_PAGE_SIZE)
                .withByteStreamSplitEncoding(false)
                .withBloomFilterEnabled(false)
                .withStatisticsEnabled(true)
                .withPageWriteChecksumEnabled(true)
                .withValidation(false);
        for (ColumnDescriptor column : parquetSchema.getColumns()) {
            PrimitiveTypeName type = column.getPrimitiveType().getPrimitiveTypeName();
            if (type == PrimitiveTypeName.FLOAT || type == PrimitiveTypeName.DOUBLE
                    || (column.getPath().length == 1 && distinctColumns.contains(column.getPath()[0]))) {
                builder.withDictionaryEncoding(String.join(".", column.getPath()), false);
            }
        }
        return new FragmentWriter(schema, file, writeSupport, builder.build());
    }

    /**
     * Appends rows [fromRow, fromRow + rowCount) of {@code batch}, whose columns must match the schema (names,
     * types, nullability; metadata is ignored). The batch is not retained after the call.
     */
    public void write(VectorSchemaRoot batch, int fromRow, int rowCount) throws IOException {
        requireNonNull(batch, "batch is null");
        if (done) {
            throw new IllegalStateException("Fragment " + file + " is already finished or closed");
        }
        if (fromRow < 0 || rowCount < 0 || (long) fromRow + rowCount > batch.getRowCount()) {
            throw new IndexOutOfBoundsException("rows [" + fromRow + ", " + ((long) fromRow + rowCount)
                    + ") are outside the batch of " + batch.getRowCount() + " rows");
        }
        if (!Schemas.sameColumns(batch.getSchema().getFields(), schema.getFields())) {
            throw new LodeException("Cannot write to fragment " + file + ": batch schema " + batch.getSchema()
                    + " does not match fragment schema " + schema);
        }
        writeSupport.bind(batch);
        for (int row = fromRow; row < fromRow + rowCount; row++) {
            cursor.row = row;
            writer.write(cursor);
        }
        List<FieldVector> vectors = batch.getFieldVectors();
        for (int i = 0; i < vectors.size(); i++) {
            statistics.get(i).add(vectors.get(i), fromRow, rowCount);
        }
        rows += rowCount;
    }

    /**
     * Completes the file and returns its row count and per-column statistics: for each top-level column
     * {@code {"nulls": n, "min": v, "max": v}}, min and max left out when every value is null and for binary and
     * nested columns. Integers and timestamps are JSON integers (an unsigned 64-bit value above 2^63-1 is a decimal
     * string), floats JSON numbers with NaN ignored, dates ISO strings, booleans booleans, strings strings.
     */
    public FragmentSummary finish() throws IOException {
        if (done) {
            throw new IllegalStateException("Fragment " + file + " is already finished or closed");
        }
        done = true;
        writer.close();
        Json.JsonObject.Builder columns = Json.object();
        List<Field> fields = schema.getFields();
        for (int i = 0; i < fields.size(); i++) {
            columns.put(fields.get(i).getName(), statistics.get(i).toJson());
        }
        return new FragmentSummary(rows, columns.build());
    }

    /** Abandons the file unless {@link #finish()} completed it: the partial file is deleted. */
    @Override
    public void close() throws IOException {
        if (done) {
            return;
        }
        done = true;
        try {
            writer.close();
        } catch (IOException | RuntimeException e) {
            // The file is being abandoned; whatever state the writer is in, it is deleted below.
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static final class Builder extends ParquetWriter.Builder<ArrowWriteSupport.RowCursor, Builder> {
        private final ArrowWriteSupport writeSupport;

        Builder(OutputFile file, ArrowWriteSupport writeSupport) {
            super(file);
            this.writeSupport = writeSupport;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<ArrowWriteSupport.RowCursor> getWriteSupport(Configuration configuration) {
            return writeSupport;
        }

        @Override
        protected WriteSupport<ArrowWriteSupport.RowCursor> getWriteSupport(ParquetConfiguration configuration) {
            return writeSupport;
        }
    }
}
