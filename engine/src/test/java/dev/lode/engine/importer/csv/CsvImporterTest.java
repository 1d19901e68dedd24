package dev.lode.engine.importer.csv;

import dev.lode.engine.LodeException;
import dev.lode.engine.importer.ImportException;
import dev.lode.engine.importer.ImportOptions;
import dev.lode.engine.importer.csv.CsvTesting.Bits;
import dev.lode.engine.importer.csv.CsvTesting.Imported;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;

import static dev.lode.engine.importer.csv.CsvTesting.load;
import static dev.lode.engine.importer.csv.CsvTesting.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvImporterTest {
    private static final ArrowType INT64 = new ArrowType.Int(64, true);
    private static final ArrowType FLOAT64 = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
    private static final ArrowType UTF8 = ArrowType.Utf8.INSTANCE;

    @TempDir
    Path directory;

    private static List<Object> row(Object... values) {
        return Arrays.asList(values);
    }

    private static List<ArrowType> types(Imported imported) {
        return imported.schema().getFields().stream().map(field -> field.getType()).toList();
    }

    private static List<String> names(Imported imported) {
        return imported.schema().getFields().stream().map(field -> field.getName()).toList();
    }

    // ---- parsing

    @Test
    void quotedFieldsHoldDelimitersDoubledQuotesAndLineEnds() throws IOException {
        Path file = write(directory, "q.csv", "name,note\n\"a,b\",\"say \"\"hi\"\"\"\n\"multi\nline\",\"cr\r\nlf\"\n");
        Imported imported = load(file);
        assertEquals(List.of(row("a,b", "say \"hi\""), row("multi\nline", "cr\r\nlf")), imported.rows());
    }

    @Test
    void crlfAndCrLineEndsAndNoFinalNewline() throws IOException {
        assertEquals(List.of(row(1L, 2L), row(3L, 4L)), load(write(directory, "a.csv", "a,b\r\n1,2\r\n3,4\r\n")).rows());
        assertEquals(List.of(row(1L, 2L), row(3L, 4L)), load(write(directory, "b.csv", "a,b\r1,2\r3,4")).rows());
        assertEquals(List.of(row(1L, 2L), row(3L, 4L)), load(write(directory, "c.csv", "a,b\n1,2\n3,4")).rows());
    }

    @Test
    void detectsTabSemicolonAndPipe() throws IOException {
        for (String delimiter : List.of("\t", ";", "|", ",")) {
            Path file = write(directory, "d.txt", "a" + delimiter + "b" + delimiter + "c\n1" + delimiter
                    + "\"x,y\"" + delimiter + "2.5\n");
            Imported imported = load(file);
            assertEquals(List.of("a", "b", "c"), names(imported), "delimiter " + delimiter);
            assertEquals(List.of(row(1L, "x,y", Bits.of(2.5))), imported.rows(), "delimiter " + delimiter);
        }
    }

    @Test
    void delimiterOptionOverridesDetection() throws IOException {
        Path file = write(directory, "o.csv", "a;b,c\n1;2,3\n");
        Imported imported = load(file, ImportOptions.none().with("delimiter", ";"));
        assertEquals(List.of("a", "b,c"), names(imported));
        assertEquals(List.of(row(1L, "2,3")), imported.rows());
    }

    @Test
    void headerFalseNamesColumnsByPosition() throws IOException {
        Path file = write(directory, "h.csv", "1,x\n2,y\n");
        Imported imported = load(file, ImportOptions.none().with("header", "false"));
        assertEquals(List.of("column_1", "column_2"), names(imported));
        assertEquals(List.of(row(1L, "x"), row(2L, "y")), imported.rows());
    }

    @Test
    void byteOrderMarkIsSkippedAndEmptyHeaderNamesAreNumbered() throws IOException {
        Path file = directory.resolve("bom.csv");
        Files.write(file, ("\uFEFFid,,z\n1,2,3\n").getBytes(StandardCharsets.UTF_8));
        Imported imported = load(file);
        assertEquals(List.of("id", "column_2", "z"), names(imported));
        assertEquals(List.of(row(1L, 2L, 3L)), imported.rows());
    }

    @Test
    void unquotedEmptyIsNullQuotedEmptyIsEmptyString() throws IOException {
        Path file = write(directory, "e.csv", "a,b\n,\"\"\nx,\n");
        Imported imported = load(file);
        assertEquals(List.of(row(null, ""), row("x", null)), imported.rows());
    }

    @Test
    void blankLinesAreSkippedInMultiColumnTablesAndNullInOneColumnTables() throws IOException {
        assertEquals(List.of(row(1L, 2L), row(3L, 4L)), load(write(directory, "m.csv", "a,b\n1,2\n\n3,4\n\n")).rows());
        assertEquals(List.of(row(1L), row((Object) null), row(3L)), load(write(directory, "s.csv", "a\n1\n\n3\n")).rows());
    }

    @Test
    void severalSourcesFormOneTableWithTypesInferredOverAll() throws IOException {
        Path first = write(directory, "1.csv", "a,b\n1,x\n");
        Path second = write(directory, "2.csv", "a,b\n2.5,y\n");
        Imported imported = load(List.of(first, second), ImportOptions.none(), 2);
        assertEquals(List.of(FLOAT64, UTF8), types(imported));
        assertEquals(List.of(row(Bits.of(1.0), "x"), row(Bits.of(2.5), "y")), imported.rows());
    }

    // ---- inference

    @Test
    void infersEachType() throws IOException {
        Path file = write(directory, "t.csv", String.join("\n",
                "i,f,b,d,ts,s",
                "1,1.5,true,2024-02-29,2024-01-02T03:04:05Z,hello",
                "-9223372036854775808,-2e-3,FALSE,1969-12-31,2024-01-02 03:04:05.123456,w o r l d",
                ",,,,,",
                "9223372036854775807,.5,True,0001-01-01,2024-01-02T05:04:05.5+02:00,\"1,2\"",
                ""));
        Imported imported = load(file);
        assertEquals(List.of(INT64, FLOAT64, ArrowType.Bool.INSTANCE, new ArrowType.Date(DateUnit.DAY),
                new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC"), UTF8), types(imported));
        long micros = Instant.parse("2024-01-02T03:04:05Z").toEpochMilli() * 1000;
        assertEquals(row(1L, Bits.of(1.5), true, (int) LocalDate.of(2024, 2, 29).toEpochDay(), micros, "hello"),
                imported.rows().get(0));
        assertEquals(row(Long.MIN_VALUE, Bits.of(-2e-3), false, -1, micros + 123456, "w o r l d"),
                imported.rows().get(1));
        assertEquals(row(null, null, null, null, null, null), imported.rows().get(2));
        assertEquals(row(Long.MAX_VALUE, Bits.of(0.5), true, (int) LocalDate.of(1, 1, 1).toEpochDay(),
                micros + 500_000, "1,2"), imported.rows().get(3));
    }

    @Test
    void widensIntToFloatAndMixesToString() throws IOException {
        Path file = write(directory, "w.csv", String.join("\n",
                "int_float,float_text,int_bool,date_timestamp,empty,overflow",
                "1,1.5,1,2024-01-01,,1",
                "2.5,x,true,2024-01-01T00:00:00,,99999999999999999999",
                ""));
        Imported imported = load(file);
        assertEquals(List.of(FLOAT64, UTF8, UTF8, UTF8, UTF8, FLOAT64), types(imported));
        assertEquals(row(Bits.of(1.0), "1.5", "1", "2024-01-01", null, Bits.of(1.0)), imported.rows().get(0));
        assertEquals(row(Bits.of(2.5), "x", "true", "2024-01-01T00:00:00", null, Bits.of(1e20)), imported.rows().get(1));
    }

    @Test
    void floatSpecialsAndSignedZeroAreExact() throws IOException {
        Path file = write(directory, "f.csv", "f\nNaN\ninf\n-inf\nInfinity\n-Infinity\n-0.0\n0.0\n"
                + "0.1\n1.7976931348623157E308\n4.9E-324\n123456789012345678901234567890\n");
        Imported imported = load(file);
        assertEquals(List.of(FLOAT64), types(imported));
        List<Object> expected = List.of(Bits.of(Double.NaN), Bits.of(Double.POSITIVE_INFINITY),
                Bits.of(Double.NEGATIVE_INFINITY), Bits.of(Double.POSITIVE_INFINITY),
                Bits.of(Double.NEGATIVE_INFINITY), Bits.of(-0.0), Bits.of(0.0), Bits.of(0.1), Bits.of(Double.MAX_VALUE),
                Bits.of(Double.MIN_VALUE), Bits.of(1.2345678901234568E29));
        assertEquals(expected, imported.column(0));
    }

    @Test
    void strictGrammarLeavesLookalikesAsStrings() throws IOException {
        for (String value : List.of(" 1", "1 ", "0x10", "1d", "1e", "2024-02-30", "2024-01-01T25:00:00", "yes",
                "2024-01-01T00:00:00.1234567")) {
            Path file = write(directory, "g.csv", "v\n" + value + "\n");
            assertEquals(List.of(UTF8), types(load(file)), value);
        }
        Path nanos = write(directory, "n.csv", "v\n2024-01-01T00:00:00.123456000\n");
        assertEquals(List.of(new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")), types(load(nanos)));
    }

    // ---- bad input

    private ImportException failure(Path file) {
        return assertThrows(ImportException.class, () -> load(file));
    }

    private ImportException failure(Path file, ImportOptions options) {
        return assertThrows(ImportException.class, () -> load(file, options));
    }

    @Test
    void raggedRowNamesLineAndCounts() throws IOException {
        Path file = write(directory, "r.csv", "a,b,c\n1,2,3\n\"x\ny\",2,3\n1,2\n");
        ImportException e = failure(file);
        assertEquals("Cannot import " + file + ": line 5: 2 fields, expected 3", e.getMessage());
        assertEquals(file, e.file());
    }

    @Test
    void unterminatedQuoteNamesTheLineWhereItStarted() throws IOException {
        Path file = write(directory, "u.csv", "a,b\n1,2\n3,\"open \"\" still\n4,5\n");
        ImportException e = failure(file);
        assertEquals("Cannot import " + file + ": line 3: a quoted field is not closed before the end of the file",
                e.getMessage());
    }

    @Test
    void strayQuoteIsAnError() throws IOException {
        Path file = write(directory, "s.csv", "a,b\n1,5'11\"\n");
        assertTrue(failure(file).getMessage().startsWith("Cannot import " + file + ": line 2: field 2 has a quote"),
                failure(file).getMessage());
        Path after = write(directory, "t.csv", "a,b\n1,\"x\"y\n");
        assertTrue(failure(after).getMessage().contains("line 2: field 2 has text after its closing quote"));
    }

    @Test
    void invalidUtf8NamesTheByteOffset() throws IOException {
        Path file = directory.resolve("bad.csv");
        byte[] bytes = "a,b\n1,x\n2,y\n".getBytes(StandardCharsets.UTF_8);
        bytes[10] = (byte) 0xC3; // the 'y': a lead byte followed by a line end
        Files.write(file, bytes);
        assertEquals("Cannot import " + file + ": byte 10: invalid UTF-8", failure(file).getMessage());
    }

    @Test
    void emptyFileIsAnError() throws IOException {
        Path file = write(directory, "empty.csv", "");
        ImportException e = failure(file);
        assertEquals("Cannot import " + file + ": the file is empty", e.getMessage());
        assertEquals(null, e.location());
    }

    @Test
    void headerOnlyFileHasNoRows() throws IOException {
        Imported imported = load(write(directory, "h.csv", "a,b\n"));
        assertEquals(List.of("a", "b"), names(imported));
        assertEquals(List.of(UTF8, UTF8), types(imported));
        assertEquals(0, imported.rows().size());
    }

    @Test
    void duplicateHeaderNamesNameBothPositions() throws IOException {
        Path file = write(directory, "d.csv", "a,b,a\n1,2,3\n");
        assertEquals("Cannot import " + file + ": line 1: columns 1 and 3 are both named 'a'",
                failure(file).getMessage());
    }

    @Test
    void missingFileIsNamed() {
        Path file = directory.resolve("nope.csv");
        assertEquals("Cannot import " + file + ": the file does not exist", failure(file).getMessage());
    }

    @Test
    void differingHeadersNameTheFileAndColumn() throws IOException {
        Path first = write(directory, "1.csv", "a,b\n1,2\n");
        Path second = write(directory, "2.csv", "a,c\n1,2\n");
        ImportException e = assertThrows(ImportException.class,
                () -> load(List.of(first, second), ImportOptions.none(), 1));
        assertEquals("Cannot import " + second + ": line 1: column 2 is named 'c', expected 'b' as in " + first,
                e.getMessage());
    }

    @Test
    void badOptionsAreRejected() throws IOException {
        Path file = write(directory, "o.csv", "a\n1\n");
        assertThrows(LodeException.class, () -> load(file, ImportOptions.none().with("delimiter", "ab")));
        assertThrows(LodeException.class, () -> load(file, ImportOptions.none().with("header", "yes")));
        LodeException unknown = assertThrows(LodeException.class,
                () -> load(file, ImportOptions.none().with("delimeter", ",")));
        assertTrue(unknown.getMessage().contains("delimeter"));
    }

    // ---- detection and progress

    @Test
    void detectsByExtensionOrDelimitedText() {
        CsvImporter importer = new CsvImporter();
        assertTrue(importer.detects(Path.of("x.CSV"), new byte[0]));
        assertTrue(importer.detects(Path.of("x.tsv"), new byte[0]));
        assertTrue(importer.detects(Path.of("data"), "a|b\n1|2\n".getBytes(StandardCharsets.UTF_8)));
        assertFalse(importer.detects(Path.of("data"), "just some words\n".getBytes(StandardCharsets.UTF_8)));
        assertFalse(importer.detects(Path.of("data"), new byte[] {1, 0, 2, ',', 3, '\n', 4, ',', 5, '\n'}));
    }

    @Test
    void reportsBytesReadForBothPasses() throws IOException {
        String content = "a,b\n1,2\n3,4\n";
        Imported imported = load(write(directory, "p.csv", content));
        assertEquals(2L * content.length(), imported.bytesRead());
    }
}
