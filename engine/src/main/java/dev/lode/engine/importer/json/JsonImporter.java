package dev.lode.engine.importer.json;

import dev.lode.engine.LodeException;
import dev.lode.engine.importer.ImportContext;
import dev.lode.engine.importer.ImportException;
import dev.lode.engine.importer.ImportOptions;
import dev.lode.engine.importer.ImportTable;
import dev.lode.engine.importer.Importer;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Imports JSON Lines and top-level JSON arrays of objects (UTF-8) as one table.
 *
 * <h2>Format</h2>
 * A file whose first non-blank byte is {@code [} is one array of objects, which may span any number of lines;
 * otherwise each non-blank line is one object (JSON Lines). A UTF-8 byte order mark is skipped. Each record is
 * checked by {@link dev.lode.engine.json.Json#parse} (strict RFC 8259, nesting limit 64, no duplicate keys).
 *
 * <h2>Types</h2>
 * The schema is inferred from every record of every source, in order (the first of two passes). Columns, and the
 * members of structs, are ordered by the first appearance of their key. An integer is int64; any other number is
 * float64 (integers beyond 64 bits too); int64 and float64 together give float64; booleans are bool; strings are
 * utf8; an object is a struct whose members are inferred by the same rules; an array is a list whose element type
 * is inferred over all its elements by the same rules. Any other mix of scalars (say strings and numbers) gives
 * utf8, in which strings are kept as they are and numbers and booleans as their JSON source text ({@code 1.50},
 * {@code true}). Mixing an object or array with any other kind of value (except null) is an error naming the key.
 * A key that only ever holds empty objects is an error (a struct needs a member). A null or missing key is a
 * null; a column of nulls only (or a list of empty arrays only) is utf8. Every field is nullable.
 *
 * <h2>Resources</h2>
 * Files are streamed one record at a time; a batch holds at most {@value JsonTable#BATCH_ROWS} rows. Parsing is
 * sequential, so the output never depends on {@link ImportContext#threads()}. Progress counts the bytes of both
 * passes, so it totals twice the input size.
 *
 * <h2>Errors</h2>
 * {@link ImportException} naming the file, the line (1-based) and, where one byte is at fault, its offset in the
 * file (0-based): invalid JSON, invalid UTF-8, a line or array element that is not an object, an unterminated
 * array, text after the array, an empty file, a missing file, and a key that mixes objects or arrays with other
 * values.
 */
public final class JsonImporter implements Importer {

    public JsonImporter() {
    }

    @Override
    public String name() {
        return "json";
    }

    @Override
    public String version() {
        return "1";
    }

    @Override
    public boolean detects(Path file, byte[] head) {
        if (Importer.hasExtension(file, ".jsonl", ".ndjson", ".json")) {
            return true;
        }
        int i = head.length >= 3 && (head[0] & 0xFF) == 0xEF && (head[1] & 0xFF) == 0xBB
                && (head[2] & 0xFF) == 0xBF ? 3 : 0;
        while (i < head.length && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n')) {
            i++;
        }
        return i < head.length && (head[i] == '{' || head[i] == '[');
    }

    @Override
    public ImportTable open(List<Path> sources, ImportOptions options, ImportContext context) throws IOException {
        requireNonNull(sources, "sources is null");
        requireNonNull(options, "options is null");
        requireNonNull(context, "context is null");
        if (sources.isEmpty()) {
            throw new LodeException("No files to import");
        }
        options.requireKnown(name(), java.util.Set.of());
        JsonColumn root = JsonColumn.root();
        for (Path file : sources) {
            try (JsonRecords records = new JsonRecords(file, context.bytesRead())) {
                JsonRecords.JsonRecord record;
                while ((record = records.next()) != null) {
                    root.observe(record.value(), "", file, record.line());
                }
            }
        }
        List<Field> fields = new ArrayList<>();
        for (Map.Entry<String, JsonColumn> column : root.children().entrySet()) {
            fields.add(column.getValue().field(column.getKey(), column.getKey()));
        }
        return new JsonTable(new Schema(fields), root, sources, context);
    }
}
