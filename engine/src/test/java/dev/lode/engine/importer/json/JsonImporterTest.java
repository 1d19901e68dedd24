package dev.lode.engine.importer.json;

import dev.lode.engine.importer.ImportContext;
import dev.lode.engine.importer.ImportException;
import dev.lode.engine.importer.ImportOptions;
import dev.lode.engine.importer.ImportTable;
import dev.lode.engine.parquet.FragmentReader;
import dev.lode.engine.parquet.FragmentWriter;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.Text;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonImporterTest {
    private static final ArrowType INT64 = new ArrowType.Int(64, true);
    private static final ArrowType FLOAT64 = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
    private static final ArrowType UTF8 = ArrowType.Utf8.INSTANCE;
    private static final ArrowType BOOL = ArrowType.Bool.INSTANCE;

    @TempDir
    Path directory;

    record Imported(Schema schema, List<List<Object>> rows, long bytesRead, int batches) {
    }

    private Path write(String name, String content) throws IOException {
        Path file = directory.resolve(name);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    private static Imported load(Path... files) throws IOException {
        return load(List.of(files), 1);
    }

    private static Imported load(List<Path> files, int threads) throws IOException {
        AtomicLong bytes = new AtomicLong();
        try (BufferAllocator allocator = new RootAllocator();
             ImportTable table = new JsonImporter().open(files, ImportOptions.none(),
                     new ImportContext(allocator, threads, bytes::addAndGet))) {
            List<List<Object>> rows = new ArrayList<>();
            int[] batches = {0};
            table.read(batch -> {
                batches[0]++;
                rows.addAll(rowsOf(batch.getFieldVectors(), batch.getRowCount()));
            });
            return new Imported(table.schema(), rows, bytes.get(), batches[0]);
        }
    }

    private static List<List<Object>> rowsOf(List<FieldVector> vectors, int rowCount) {
        List<List<Object>> rows = new ArrayList<>();
        for (int row = 0; row < rowCount; row++) {
            List<Object> values = new ArrayList<>();
            for (FieldVector vector : vectors) {
                values.add(plain(vector.isNull(row) ? null : vector.getObject(row)));
            }
            rows.add(values);
        }
        return rows;
    }

    /** Arrow's getObject values as plain Java: Text to String, maps and lists copied (struct nulls dropped). */
    private static Object plain(Object value) {
        return switch (value) {
            case null -> null;
            case Text text -> text.toString();
            case Map<?, ?> map -> {
                Map<Object, Object> copy = new LinkedHashMap<>();
                map.forEach((key, member) -> {
                    if (member != null) {
                        copy.put(key, plain(member));
                    }
                });
                yield copy;
            }
            case List<?> list -> {
                List<Object> copy = new ArrayList<>();
                list.forEach(item -> copy.add(plain(item)));
                yield copy;
            }
            default -> value;
        };
    }

    private static List<Object> row(Object... values) {
        return Arrays.asList(values);
    }

    private static List<String> names(Imported imported) {
        return imported.schema().getFields().stream().map(Field::getName).toList();
    }

    private static List<ArrowType> types(Imported imported) {
        return imported.schema().getFields().stream().map(Field::getType).toList();
    }

    private ImportException failure(String name, String content) throws IOException {
        Path file = write(name, content);
        return assertThrows(ImportException.class, () -> load(file));
    }

    // ---- inference

    @Test
    void infersScalarTypes() throws IOException {
        Imported imported = load(write("s.jsonl",
                "{\"i\": 1, \"f\": 1.5, \"b\": true, \"s\": \"x\", \"n\": null}\n"
                        + "{\"i\": -7, \"f\": 2e3, \"b\": false, \"s\": \"\\u00e9\\n\", \"n\": null}\n"));
        assertEquals(List.of("i", "f", "b", "s", "n"), names(imported));
        assertEquals(List.of(INT64, FLOAT64, BOOL, UTF8, UTF8), types(imported));
        assertEquals(List.of(row(1L, 1.5, true, "x", null), row(-7L, 2000.0, false, "é\n", null)), imported.rows());
        assertTrue(imported.schema().getFields().stream().allMatch(Field::isNullable));
    }

    @Test
    void integersAndFloatsWidenToFloat64() throws IOException {
        Imported imported = load(write("w.jsonl", "{\"x\": 1}\n{\"x\": 2.5}\n{\"x\": 3}\n"));
        assertEquals(List.of(FLOAT64), types(imported));
        assertEquals(List.of(row(1.0), row(2.5), row(3.0)), imported.rows());
    }

    @Test
    void mixedScalarsWidenToStringsHoldingTheirJsonText() throws IOException {
        Imported imported = load(write("m.jsonl",
                "{\"x\": \"a\"}\n{\"x\": 1.50}\n{\"x\": true}\n{\"x\": null}\n{\"x\": 7}\n"));
        assertEquals(List.of(UTF8), types(imported));
        assertEquals(List.of(row("a"), row("1.50"), row("true"), row((Object) null), row("7")), imported.rows());
    }

    @Test
    void infersNestedStructsAndLists() throws IOException {
        Imported imported = load(write("n.jsonl",
                "{\"p\": {\"x\": 1, \"tags\": [\"a\"]}, \"l\": [1, 2]}\n"
                        + "{\"p\": {\"y\": true, \"x\": 2.5}, \"l\": [3.5, null]}\n"
                        + "{\"p\": null, \"l\": [[]]}\n".replace("[[]]", "null")
                        + "{\"l\": []}\n"));
        Field p = imported.schema().getFields().get(0);
        assertEquals(ArrowType.Struct.INSTANCE, p.getType());
        assertEquals(List.of("x", "tags", "y"), p.getChildren().stream().map(Field::getName).toList());
        assertEquals(FLOAT64, p.getChildren().get(0).getType());
        assertEquals(ArrowType.List.INSTANCE, p.getChildren().get(1).getType());
        assertEquals(UTF8, p.getChildren().get(1).getChildren().get(0).getType());
        assertEquals(BOOL, p.getChildren().get(2).getType());
        Field l = imported.schema().getFields().get(1);
        assertEquals(ArrowType.List.INSTANCE, l.getType());
        assertEquals(FLOAT64, l.getChildren().get(0).getType());

        assertEquals(Map.of("x", 1.0, "tags", List.of("a")), imported.rows().get(0).get(0));
        assertEquals(List.of(1.0, 2.0), imported.rows().get(0).get(1));
        assertEquals(Map.of("x", 2.5, "y", true), imported.rows().get(1).get(0));
        assertEquals(Arrays.asList(3.5, null), imported.rows().get(1).get(1));
        assertEquals(row(null, null), imported.rows().get(2));
        assertEquals(row(null, List.of()), imported.rows().get(3));
    }

    @Test
    void listsOfObjectsUnifyTheirElements() throws IOException {
        Imported imported = load(write("lo.jsonl",
                "{\"items\": [{\"a\": 1}, {\"b\": \"x\", \"a\": 2.5}]}\n"));
        Field element = imported.schema().getFields().get(0).getChildren().get(0);
        assertEquals(ArrowType.Struct.INSTANCE, element.getType());
        assertEquals(List.of("a", "b"), element.getChildren().stream().map(Field::getName).toList());
        assertEquals(List.of(Map.of("a", 1.0), Map.of("a", 2.5, "b", "x")), imported.rows().get(0).get(0));
    }

    @Test
    void columnsFollowFirstAppearanceAndMissingKeysAreNull() throws IOException {
        Imported imported = load(write("o.jsonl",
                "{\"z\": 1, \"a\": 2}\n\n   \n{\"m\": \"x\", \"a\": 3}\n{\"b\": false}\n"));
        assertEquals(List.of("z", "a", "m", "b"), names(imported));
        assertEquals(List.of(row(1L, 2L, null, null), row(null, 3L, "x", null), row(null, null, null, false)),
                imported.rows());
    }

    @Test
    void typesAreInferredOverAllSourcesInOrder() throws IOException {
        Path first = write("1.jsonl", "{\"a\": 1}\n");
        Path second = write("2.json", "[{\"b\": \"x\", \"a\": 0.5}]");
        Imported imported = load(first, second);
        assertEquals(List.of("a", "b"), names(imported));
        assertEquals(List.of(FLOAT64, UTF8), types(imported));
        assertEquals(List.of(row(1.0, null), row(0.5, "x")), imported.rows());
    }

    @Test
    void arrayFormGivesTheSameTableAsJsonLines() throws IOException {
        String[] records = {
                "{\"id\": 1, \"name\": \"a, [b]\", \"tags\": [\"x\", \"]\"], \"p\": {\"q\": 1.5}}",
                "{\"id\": 2, \"name\": \"c\\\"}\", \"tags\": [], \"p\": null}",
                "{\"id\": 3, \"p\": {\"q\": 2}}"};
        Imported lines = load(write("l.jsonl", String.join("\n", records) + "\n"));
        Imported array = load(write("a.json", "[\n  " + String.join(",\n  ", records).replace(": ", ":\n    ")
                + "\n]\n"));
        assertEquals(lines.schema(), array.schema());
        assertEquals(lines.rows(), array.rows());
        assertEquals(3, lines.rows().size());
    }

    @Test
    void emptyArrayGivesNoRows() throws IOException {
        Imported imported = load(write("e.json", " [ ] \n"));
        assertEquals(List.of(), imported.rows());
        assertEquals(List.of(), names(imported));
    }

    @Test
    void batchesHoldAtMost8192RowsAndProgressCountsBothPasses() throws IOException {
        StringBuilder content = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            content.append("{\"i\": ").append(i).append("}\n");
        }
        Path file = write("big.jsonl", content.toString());
        Imported one = load(List.of(file), 1);
        Imported many = load(List.of(file), 8);
        assertEquals(3, one.batches());
        assertEquals(20_000, one.rows().size());
        assertEquals(19_999L, one.rows().get(19_999).get(0));
        assertEquals(2 * Files.size(file), one.bytesRead());
        assertEquals(one.rows(), many.rows());
        assertEquals(one.schema(), many.schema());
    }

    @Test
    void detectsByExtensionOrFirstByte() {
        JsonImporter importer = new JsonImporter();
        byte[] none = new byte[0];
        assertTrue(importer.detects(Path.of("a.jsonl"), none));
        assertTrue(importer.detects(Path.of("a.NDJSON"), none));
        assertTrue(importer.detects(Path.of("a.json"), none));
        assertTrue(importer.detects(Path.of("data"), "\n  {\"a\":1}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(importer.detects(Path.of("data"), "[{}]".getBytes(StandardCharsets.UTF_8)));
        assertFalse(importer.detects(Path.of("data.csv"), "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals("json", importer.name());
        assertEquals("1", importer.version());
    }

    // ---- bad input

    @Test
    void invalidJsonNamesLineAndByte() throws IOException {
        Path file = directory.resolve("bad.jsonl");
        ImportException e = failure("bad.jsonl", "{\"a\": 1}\n{\"a\": 2,}\n");
        assertEquals(file, e.file());
        assertEquals("line 2, byte 17", e.location());
        assertEquals("Cannot import " + file + ": line 2, byte 17: invalid JSON: expected a string key",
                e.getMessage());
    }

    @Test
    void invalidJsonInsideAMultiLineArrayElementNamesItsLine() throws IOException {
        ImportException e = failure("bad.json", "[\n{\"a\": 1},\n{\"a\":\n tru}\n]");
        assertEquals("line 4, byte 19", e.location());
        assertTrue(e.reason().startsWith("invalid JSON: expected true"), e.reason());
    }

    @Test
    void aLineThatIsNotAnObjectIsAnError() throws IOException {
        ImportException e = failure("n.jsonl", "{\"a\": 1}\n[1, 2]\n");
        assertEquals("line 2", e.location());
        assertEquals("expected a JSON object, found an array", e.reason());
    }

    @Test
    void invalidUtf8NamesLineAndByte() throws IOException {
        Path file = directory.resolve("u.jsonl");
        byte[] bytes = "{\"a\": \"ok\"}\n{\"a\": \"x?\"}\n".getBytes(StandardCharsets.US_ASCII);
        bytes[21] = (byte) 0xC3; // a lead byte followed by '"'
        Files.write(file, bytes);
        ImportException e = assertThrows(ImportException.class, () -> load(file));
        assertEquals("line 2, byte 21", e.location());
        assertEquals("invalid UTF-8", e.reason());
    }

    @Test
    void emptyFileIsAnError() throws IOException {
        ImportException e = failure("empty.jsonl", " \n\n");
        assertEquals(null, e.location());
        assertEquals("the file is empty", e.reason());
        assertEquals("Cannot import " + directory.resolve("empty.jsonl") + ": the file is empty", e.getMessage());
    }

    @Test
    void anArrayElementThatIsNotAnObjectIsAnError() throws IOException {
        ImportException e = failure("s.json", "[\n{\"a\": 1},\n\"text\"\n]");
        assertEquals("line 3", e.location());
        assertEquals("array element 2 is not an object but a string", e.reason());
    }

    @Test
    void anUnterminatedArrayIsAnError() throws IOException {
        ImportException e = failure("t.json", "[\n{\"a\": 1},\n{\"a\": 2}\n");
        assertEquals("line 4", e.location());
        assertEquals("unterminated array: the file ends before its closing ']'", e.reason());
    }

    @Test
    void textAfterTheArrayIsAnError() throws IOException {
        ImportException e = failure("after.json", "[{\"a\": 1}]\n{\"a\": 2}\n");
        assertEquals("line 2, byte 11", e.location());
        assertEquals("unexpected text after the top-level array", e.reason());
    }

    @Test
    void mixingObjectsWithScalarsNamesTheKeyAndLine() throws IOException {
        ImportException e = failure("mix.jsonl", "{\"p\": {\"q\": 1}}\n{\"p\": {\"q\": [1]}}\n");
        assertEquals("line 2", e.location());
        assertEquals("key \"p.q\" holds an array here but integers on earlier lines; objects and arrays cannot be"
                + " mixed with other values", e.reason());
    }

    @Test
    void aKeyWithOnlyEmptyObjectsIsAnError() throws IOException {
        ImportException e = failure("eo.jsonl", "{\"a\": 1}\n{\"p\": {\"q\": {}}}\n{\"p\": {\"q\": null}}\n");
        assertEquals("line 2", e.location());
        assertEquals("key \"p.q\" only ever holds empty objects; a struct column needs at least one member",
                e.reason());
    }

    @Test
    void aMissingFileIsAnError() {
        Path file = directory.resolve("missing.jsonl");
        ImportException e = assertThrows(ImportException.class, () -> load(file));
        assertEquals("the file does not exist", e.reason());
    }

    // ---- round trip

    @Test
    void nestedTablesRoundTripThroughParquetFragments() throws IOException {
        Path source = write("rt.jsonl",
                "{\"id\": 1, \"p\": {\"x\": 1.5, \"tags\": [\"a\", null]}, \"l\": [[1], []], \"s\": \"é\"}\n"
                        + "{\"id\": 2, \"p\": null, \"l\": null, \"ok\": true}\n"
                        + "{\"id\": 3, \"p\": {\"x\": 2}, \"l\": [null, [2, 3]], \"s\": null}\n");
        Imported imported = load(source);
        Path fragment = directory.resolve("rt.parquet");
        try (BufferAllocator allocator = new RootAllocator();
             ImportTable table = new JsonImporter().open(List.of(source), ImportOptions.none(),
                     new ImportContext(allocator, 1, bytes -> { }))) {
            try (FragmentWriter writer = FragmentWriter.create(table.schema(), fragment)) {
                table.read(batch -> writer.write(batch, 0, batch.getRowCount()));
                writer.finish();
            }
        }
        assertEquals(imported.schema(), FragmentReader.readSchema(fragment));
        List<List<Object>> rows = new ArrayList<>();
        try (BufferAllocator allocator = new RootAllocator()) {
            FragmentReader.read(fragment, allocator, 2,
                    batch -> rows.addAll(rowsOf(batch.getFieldVectors(), batch.getRowCount())));
        }
        assertEquals(imported.rows(), rows);
        assertEquals(Arrays.asList(List.of(1L), List.of()), imported.rows().get(0).get(2));
    }
}
