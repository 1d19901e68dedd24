package dev.lode.engine.importer.csv;

import dev.lode.engine.LodeException;
import dev.lode.engine.importer.ImportContext;
import dev.lode.engine.importer.ImportException;
import dev.lode.engine.importer.ImportOptions;
import dev.lode.engine.importer.ImportTable;
import dev.lode.engine.importer.Importer;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Imports CSV and TSV files (RFC 4180, UTF-8) as one table.
 *
 * <h2>Format</h2>
 * Fields may be quoted; a quoted field may hold delimiters, doubled quotes and line ends. Records end with LF, CRLF
 * or CR; the last may lack one. A UTF-8 byte order mark is skipped. The first record is the header unless the
 * option {@code header=false}, in which case columns are named {@code column_1}, {@code column_2}, ...; an empty
 * header name becomes {@code column_N} by its position. The delimiter is the option {@code delimiter} (one
 * character, or {@code tab}) or else detected from each file's first lines among {@code , tab ; |}
 * (see {@link Delimiters}); detection depends only on the bytes. In a table of more than one column a blank line
 * is skipped; in a one-column table it is a null.
 *
 * <h2>Types</h2>
 * Each column's type is inferred from every value in every source (the first of two passes): int64, float64,
 * boolean, date (day), timestamp (microseconds, UTC) or string, by the grammar of {@link TextValues}. An unquoted
 * empty field is null; a quoted empty field ({@code ""}) is an empty string and so makes its column a string
 * column. int64 and float64 together give float64; any other mix gives string; a column of nulls only is string.
 * Floats parse exactly like {@link Double#parseDouble}, so {@link Double#toString} output reads back bit for bit.
 * With the option {@code schema} (an Arrow schema as canonical JSON) nothing is inferred: the first pass checks every
 * value against the declared types instead, as {@link DeclaredSchema} describes.
 *
 * <h2>Resources</h2>
 * Files are streamed: each pass holds a few chunks of at most {@value #CHUNK_RECORDS} records or about
 * {@value #CHUNK_BYTES} bytes, plus one record of up to 64 MiB. Chunks are cut by one sequential pass that tracks
 * quotes and are parsed on {@link ImportContext#threads()} threads; results are merged in chunk order, so the output
 * never depends on the thread count. Progress counts the bytes of both passes, so it totals twice the input size.
 *
 * <h2>Errors</h2>
 * {@link ImportException} naming the file and the line (or byte offset, 0-based, for invalid UTF-8): a record with
 * the wrong number of fields, an unclosed quote (the line where its field started), a stray quote, invalid UTF-8,
 * an empty file, duplicate header names, a missing file, headers that differ between sources; with a schema, a header
 * that differs from it and a value that breaks it (naming the line, column, value and declared type).
 */
public final class CsvImporter implements Importer {
    static final int CHUNK_RECORDS = 8192;
    static final int CHUNK_BYTES = 4 << 20;
    private static final int HEAD_BYTES = 64 << 10;
    private static final Set<String> OPTIONS = Set.of("delimiter", "header", "schema");

    public CsvImporter() {
    }

    @Override
    public String name() {
        return "csv";
    }

    /** One pass infers types over the whole input, the second converts. */
    @Override
    public int passes() {
        return 2;
    }

    @Override
    public String version() {
        return "1";
    }

    @Override
    public boolean detects(Path file, byte[] head) {
        if (Importer.hasExtension(file, ".csv", ".tsv", ".txt")) {
            return true;
        }
        int invalid = Utf8.firstInvalid(head, 0, head.length);
        // A cut through the last character of the head is fine; anything earlier is binary.
        if (invalid >= 0 && invalid < head.length - 3) {
            return false;
        }
        for (byte b : head) {
            if (b == 0) {
                return false;
            }
        }
        return Delimiters.looksDelimited(head, head.length, head.length < HEAD_BYTES);
    }

    @Override
    public ImportTable open(List<Path> sources, ImportOptions options, ImportContext context) throws IOException {
        requireNonNull(sources, "sources is null");
        requireNonNull(options, "options is null");
        requireNonNull(context, "context is null");
        if (sources.isEmpty()) {
            throw new LodeException("No files to import");
        }
        options.requireKnown(name(), OPTIONS);
        String schemaJson = options.get("schema", null);
        DeclaredSchema declared = schemaJson == null ? null : DeclaredSchema.parse(schemaJson);
        boolean header = options.flag("header", true);
        Byte delimiter = delimiterOption(options.get("delimiter", null));

        List<Source> planned = new ArrayList<>();
        List<String> names = null;
        Path firstFile = null;
        ColumnType[] types = null;
        for (Path file : sources) {
            try (FileChannel channel = openChannel(file)) {
                byte[] head = readHead(file, channel);
                int skip = head.length >= 3 && (head[0] & 0xFF) == 0xEF && (head[1] & 0xFF) == 0xBB
                        && (head[2] & 0xFF) == 0xBF ? 3 : 0;
                if (head.length == skip) {
                    throw new ImportException(file, null, "the file is empty");
                }
                byte fileDelimiter = delimiter != null ? delimiter
                        : Delimiters.detect(Arrays.copyOfRange(head, skip, head.length), head.length - skip,
                        head.length < HEAD_BYTES);
                Source source = new Source(file, fileDelimiter, skip, header);
                channel.position(skip);
                RecordSplitter splitter = source.splitter(channel, context);
                Chunk first = splitter.next(1);
                List<String> fileNames = source.columnNames(first);
                if (declared != null) {
                    if (header) {
                        declared.checkHeader(file, fileNames);
                    }
                    InOrder.run(header ? null : first, splitter, context.threads(), chunk -> {
                        source.checkUtf8(chunk);
                        declared.check(file, chunk, fileDelimiter);
                        return Boolean.TRUE;
                    }, checked -> { }, checked -> { });
                    planned.add(source);
                    continue;
                }
                if (names == null) {
                    names = fileNames;
                    firstFile = file;
                    types = new ColumnType[names.size()];
                    Arrays.fill(types, ColumnType.NONE);
                } else {
                    checkSameColumns(file, names, fileNames, firstFile, header);
                }
                ColumnType[] merged = types;
                int columns = names.size();
                InOrder.run(header ? null : first, splitter, context.threads(),
                        chunk -> source.infer(chunk, columns),
                        inferred -> ColumnType.merge(merged, inferred),
                        inferred -> { });
                planned.add(source);
            }
        }
        if (declared != null) {
            return new CsvTable(declared, planned, context);
        }
        List<Field> fields = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            fields.add(Field.nullable(names.get(i), types[i].arrowType()));
        }
        for (int i = 0; i < types.length; i++) {
            if (types[i] == ColumnType.NONE) {
                types[i] = ColumnType.STRING;
            }
        }
        return new CsvTable(new Schema(fields), types, planned, context);
    }

    private static Byte delimiterOption(String value) {
        if (value == null) {
            return null;
        }
        if (value.equals("tab") || value.equals("\\t")) {
            return '\t';
        }
        if (value.length() != 1 || value.charAt(0) > 127 || "\"\r\n".indexOf(value.charAt(0)) >= 0) {
            throw new LodeException("Option delimiter must be one ASCII character other than a quote or line end"
                    + " (or 'tab'), not '" + value + "'");
        }
        return (byte) value.charAt(0);
    }

    static FileChannel openChannel(Path file) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new ImportException(file, null, "the file does not exist", e);
        } catch (AccessDeniedException e) {
            throw new ImportException(file, null, "the file cannot be read (access denied)", e);
        }
    }

    private static byte[] readHead(Path file, FileChannel channel) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(HEAD_BYTES);
        while (head.hasRemaining()) {
            if (channel.read(head) < 0) {
                break;
            }
        }
        return Arrays.copyOf(head.array(), head.position());
    }

    private static void checkSameColumns(Path file, List<String> expected, List<String> actual, Path firstFile,
                                         boolean header) {
        if (!header) {
            if (expected.size() != actual.size()) {
                throw new ImportException(file, "line 1", actual.size() + " fields, expected " + expected.size()
                        + " as in " + firstFile);
            }
            return;
        }
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                throw new ImportException(file, "line 1", "column " + (i + 1) + " is named '" + actual.get(i)
                        + "', expected '" + expected.get(i) + "' as in " + firstFile);
            }
        }
        if (expected.size() != actual.size()) {
            throw new ImportException(file, "line 1", "the header has " + actual.size() + " columns, expected "
                    + expected.size() + " as in " + firstFile);
        }
    }

    /** One source file and how to read it. */
    record Source(Path file, byte delimiter, int skip, boolean header) {

        RecordSplitter splitter(FileChannel channel, ImportContext context) {
            return new RecordSplitter(file, channel, skip, context.bytesRead(), CHUNK_RECORDS, CHUNK_BYTES);
        }

        void checkUtf8(Chunk chunk) {
            int invalid = Utf8.firstInvalid(chunk.bytes(), 0, chunk.bytes().length);
            if (invalid >= 0) {
                throw new ImportException(file, "byte " + (chunk.firstByte() + invalid), "invalid UTF-8");
            }
        }

        /** The column names from the first record (the header, or a data record that only gives the count). */
        List<String> columnNames(Chunk first) {
            if (first == null) {
                throw new ImportException(file, null, "the file is empty");
            }
            if (first.error() != null) {
                throw first.error();
            }
            checkUtf8(first);
            RecordParser parser = new RecordParser(file, first, delimiter);
            parser.next();
            List<String> names = new ArrayList<>();
            for (int i = 0; i < parser.fieldCount(); i++) {
                String name = header ? parser.text(i) : "";
                names.add(name.isEmpty() ? "column_" + (i + 1) : name);
            }
            Map<String, Integer> positions = new HashMap<>();
            for (int i = 0; i < names.size(); i++) {
                Integer earlier = positions.putIfAbsent(names.get(i), i);
                if (earlier != null) {
                    throw new ImportException(file, "line 1", "columns " + (earlier + 1) + " and " + (i + 1)
                            + " are both named '" + names.get(i) + "'");
                }
            }
            return names;
        }

        /** Pass one over a chunk: checks it and infers the types of its values. */
        ColumnType[] infer(Chunk chunk, int columns) {
            checkUtf8(chunk);
            byte[] bytes = chunk.bytes();
            RecordParser parser = new RecordParser(file, chunk, delimiter);
            TextValues values = new TextValues();
            ColumnType[] types = new ColumnType[columns];
            Arrays.fill(types, ColumnType.NONE);
            while (parser.next()) {
                if (!parser.checkFieldCount(columns)) {
                    continue;
                }
                for (int c = 0; c < columns; c++) {
                    ColumnType type = types[c];
                    if (type == ColumnType.STRING) {
                        continue;
                    }
                    int start = parser.start(c);
                    int end = parser.end(c);
                    ColumnType kind;
                    if (start == end) {
                        if (!parser.isQuoted(c)) {
                            continue;
                        }
                        kind = ColumnType.STRING;
                    } else if (parser.isEscaped(c)) {
                        kind = ColumnType.STRING;
                    } else {
                        kind = values.classify(bytes, start, end);
                    }
                    types[c] = type.merge(kind);
                }
            }
            return types;
        }
    }
}
