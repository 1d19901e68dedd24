package dev.lode.engine.parquet;

import dev.lode.engine.LodeException;
import dev.lode.engine.importer.ImportException;
import dev.lode.engine.importer.ImportTable;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.VersionParser;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static java.util.Objects.requireNonNull;

/**
 * Reads Parquet files, ours and other tools' (pyarrow, DuckDB, Spark), into Arrow vectors. Pages may be
 * UNCOMPRESSED, SNAPPY, GZIP, ZSTD or LZ4_RAW. A file that is not Parquet, is truncated, or has corrupt pages or
 * types Lode cannot represent gives an {@link ImportException} naming the file, where (footer, row group, row)
 * and why; a missing file gives {@link NoSuchFileException}.
 */
public final class FragmentReader {
    private FragmentReader() {
    }

    /**
     * The Arrow schema of a Parquet file: its {@code ARROW:schema} footer entry when present (as Lode and pyarrow
     * write it), else derived from the Parquet schema.
     */
    public static Schema readSchema(Path file) throws IOException {
        try (ParquetFileReader reader = open(file)) {
            return schema(file, reader.getFooter().getFileMetaData());
        }
    }

    /**
     * Reads all rows in file order, in batches of at most {@code batchRows} rows, into a {@link VectorSchemaRoot}
     * allocated from {@code allocator}. The root is reused: it is valid only during the callback. Exceptions
     * thrown by the consumer pass through unchanged.
     */
    public static void read(Path file, BufferAllocator allocator, int batchRows, ImportTable.BatchConsumer consumer)
            throws IOException {
        read(file, allocator, batchRows, consumer, Decode.COLUMNS_WHERE_POSSIBLE);
    }

    /** How {@link #read} decodes: tests compare the column-at-a-time fast path against record assembly. */
    enum Decode { COLUMNS_WHERE_POSSIBLE, RECORDS }

    static void read(Path file, BufferAllocator allocator, int batchRows, ImportTable.BatchConsumer consumer,
                     Decode decode) throws IOException {
        requireNonNull(allocator, "allocator is null");
        requireNonNull(consumer, "consumer is null");
        if (batchRows < 1) {
            throw new IllegalArgumentException("batchRows must be at least 1, got " + batchRows);
        }
        try (ParquetFileReader reader = open(file)) {
            FileMetaData metadata = reader.getFooter().getFileMetaData();
            MessageType parquetSchema = metadata.getSchema();
            Schema schema = schema(file, metadata);
            VectorSchemaRoot created;
            try {
                created = VectorSchemaRoot.create(schema, allocator);
            } catch (RuntimeException e) {
                // Arrow rejects some schemas only here, e.g. a fixed-size list of negative size (ParquetFuzzTest).
                throw failure(file, "schema", e);
            }
            try (VectorSchemaRoot root = created) {
                if (decode == Decode.COLUMNS_WHERE_POSSIBLE && FixedWidthColumns.supports(schema, parquetSchema)) {
                    readColumns(file, reader, root, batchRows, consumer);
                    return;
                }
                try {
                    root.allocateNew();
                } catch (RuntimeException e) {
                    // A fixed-size type wide enough that Arrow's first allocation (3970 values) passes the
                    // allocator's limit (ParquetFuzzTest: a 9 GB buffer); the limit refuses it before allocating.
                    throw failure(file, "schema", e);
                }
                ArrowConverters.Root assembler;
                MessageColumnIO columns;
                try {
                    assembler = new ArrowConverters.Root(root, parquetSchema);
                    columns = new ColumnIOFactory(metadata.getCreatedBy()).getColumnIO(parquetSchema);
                } catch (RuntimeException e) {
                    throw failure(file, "schema", e);
                }
                long row = 0;
                for (int rowGroup = 0; ; rowGroup++) {
                    PageReadStore pages;
                    RecordReader<Object> records;
                    try {
                        pages = reader.readNextRowGroup();
                        if (pages == null) {
                            break;
                        }
                        records = columns.getRecordReader(pages, assembler);
                    } catch (IOException | RuntimeException e) {
                        throw failure(file, rowGroupLocation(reader, rowGroup), e);
                    }
                    long rowCount = pages.getRowCount();
                    for (long i = 0; i < rowCount; i++, row++) {
                        try {
                            records.read();
                        } catch (RuntimeException e) {
                            throw failure(file, "row group " + rowGroup + ", row " + row, e);
                        }
                        if (assembler.rows() == batchRows) {
                            deliver(root, assembler, consumer);
                        }
                    }
                }
                if (assembler.rows() > 0) {
                    deliver(root, assembler, consumer);
                }
            }
        }
    }

    /**
     * The fast path for fixed-width and tensor columns ({@link FixedWidthColumns}): each batch is read column by
     * column into freshly allocated vectors. Batches, values and error locations are those of record assembly.
     */
    private static void readColumns(Path file, ParquetFileReader reader, VectorSchemaRoot root, int batchRows,
                                    ImportTable.BatchConsumer consumer) throws IOException {
        FixedWidthColumns columns;
        VersionParser.ParsedVersion writer;
        try {
            columns = FixedWidthColumns.of(root, reader.getFooter().getFileMetaData().getSchema());
            writer = writerVersion(reader.getFooter().getFileMetaData().getCreatedBy());
        } catch (RuntimeException e) {
            throw failure(file, "schema", e);
        }
        long total = reader.getRecordCount();
        long row = 0;
        long leftInRowGroup = 0;
        int rowGroup = -1;
        while (row < total) {
            int rows = (int) Math.min(batchRows, total - row);
            try {
                for (FieldVector vector : root.getFieldVectors()) {
                    vector.setInitialCapacity(rows);
                    vector.allocateNew();
                }
            } catch (RuntimeException e) {
                // Rows so wide that one batch passes the allocator's limit (ParquetFuzzTest); refused unallocated.
                throw failure(file, "schema", e);
            }
            int at = 0;
            while (at < rows) {
                if (leftInRowGroup == 0) {
                    rowGroup++;
                    try {
                        PageReadStore pages = reader.readNextRowGroup();
                        if (pages == null) {
                            throw new IOException("the footer promises " + total + " rows, the row groups end after "
                                    + row);
                        }
                        leftInRowGroup = pages.getRowCount();
                        if (leftInRowGroup > 0) {
                            columns.startRowGroup(pages, writer);
                        }
                    } catch (IOException | RuntimeException e) {
                        throw failure(file, rowGroupLocation(reader, rowGroup), e);
                    }
                    continue;
                }
                int count = (int) Math.min(rows - at, leftInRowGroup);
                try {
                    columns.read(at, count);
                } catch (FixedWidthColumns.RowFailure e) {
                    throw failure(file, "row group " + rowGroup + ", row " + (row + e.row() - at),
                            (Exception) e.getCause());
                }
                at += count;
                row += count;
                leftInRowGroup -= count;
            }
            root.setRowCount(rows);
            consumer.accept(root);
            // Fresh buffers for each batch: a consumer may have transferred (not copied) the old ones.
            root.clear();
        }
    }

    private static VersionParser.ParsedVersion writerVersion(String createdBy) {
        try {
            return VersionParser.parse(createdBy);
        } catch (RuntimeException | VersionParser.VersionParseException e) {
            return null; // as Parquet's own ColumnReadStoreImpl: an unknown writer has no known bugs to work around
        }
    }

    private static void deliver(VectorSchemaRoot root, ArrowConverters.Root assembler,
                                ImportTable.BatchConsumer consumer) throws IOException {
        root.setRowCount(assembler.rows());
        consumer.accept(root);
        // Fresh buffers rather than reset(): a consumer may have transferred (not copied) the old ones.
        root.clear();
        root.allocateNew();
        assembler.reset();
    }

    private static ParquetFileReader open(Path file) throws IOException {
        requireNonNull(file, "file is null");
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        // The options are built from a PlainParquetConfiguration: the no-argument builder creates a Hadoop one.
        ParquetReadOptions options = new ParquetReadOptions.Builder(new PlainParquetConfiguration())
                .withCodecFactory(Codecs.INSTANCE)
                .usePageChecksumVerification(true)
                .build();
        try {
            return new ParquetFileReader(new LocalInputFile(file), options);
        } catch (IOException | RuntimeException e) {
            throw failure(file, footerLocation(file), e);
        }
    }

    /** "row group N (bytes A to B)": where its column chunks lie, so a damaged file can be inspected. */
    private static String rowGroupLocation(ParquetFileReader reader, int rowGroup) {
        var blocks = reader.getFooter().getBlocks();
        if (rowGroup >= blocks.size()) {
            return "row group " + rowGroup;
        }
        long start = blocks.get(rowGroup).getStartingPos();
        long end = start + blocks.get(rowGroup).getCompressedSize();
        return "row group " + rowGroup + " (bytes " + start + " to " + end + ")";
    }

    /** "footer at byte N (L bytes of S)" when the file ends with a footer length and PAR1, else its size only. */
    private static String footerLocation(Path file) throws IOException {
        long size = Files.size(file);
        if (size >= 12) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer tail = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                while (tail.hasRemaining() && channel.read(tail, size - 8 + tail.position()) >= 0) {
                    // a local file gives all 8 bytes
                }
                long length = tail.getInt(0) & 0xFFFF_FFFFL;
                if (tail.get(4) == 'P' && tail.get(5) == 'A' && tail.get(6) == 'R' && tail.get(7) == '1'
                        && length <= size - 12) {
                    return "footer at byte " + (size - 8 - length) + " (" + length + " bytes of " + size + ")";
                }
            }
        }
        return "footer (file is " + size + " bytes)";
    }

    private static Schema schema(Path file, FileMetaData metadata) {
        String arrowSchema = metadata.getKeyValueMetaData().get(ParquetSchemas.ARROW_SCHEMA_KEY);
        if (arrowSchema != null) {
            try {
                return ParquetSchemas.deserialize(arrowSchema);
            } catch (IOException | RuntimeException e) {
                throw failure(file, "footer", new IOException("corrupt ARROW:schema entry: " + reason(e), e));
            }
        }
        try {
            return ParquetSchemas.toArrow(metadata.getSchema());
        } catch (LodeException e) {
            throw new ImportException(file, null, e.getMessage(), e);
        }
    }

    static ImportException failure(Path file, String location, Exception e) {
        if (e instanceof ImportException importException) {
            return importException;
        }
        return new ImportException(file, location, reason(e), e);
    }

    private static String reason(Throwable e) {
        StringBuilder reason = new StringBuilder();
        for (Throwable t = e; t != null && reason.length() < 400; t = t.getCause() == t ? null : t.getCause()) {
            // Thrift appends the decoder's identity hash ("Struct: ...@1b2c3d"): not the same twice, and no help.
            String message = t.getMessage() != null ? t.getMessage().replaceAll(" Struct: \\S+@\\p{XDigit}+$", "")
                    : t.getClass().getSimpleName();
            if (reason.indexOf(message) >= 0) {
                continue; // a wrapper repeating its cause's message
            }
            if (!reason.isEmpty()) {
                reason.append(": ");
            }
            reason.append(message);
        }
        return reason.toString();
    }
}
