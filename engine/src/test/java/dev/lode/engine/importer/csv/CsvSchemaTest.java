package dev.lode.engine.importer.csv;

import dev.lode.engine.LodeException;
import dev.lode.engine.importer.ImportException;
import dev.lode.engine.importer.ImportOptions;
import dev.lode.engine.importer.csv.CsvTesting.Bits;
import dev.lode.engine.importer.csv.CsvTesting.Imported;
import dev.lode.engine.parquet.Schemas;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import static dev.lode.engine.importer.csv.CsvTesting.load;
import static dev.lode.engine.importer.csv.CsvTesting.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** CSV with an explicit schema (option schema): values convert to the declared types and violations are errors. */
class CsvSchemaTest {
    @TempDir
    Path directory;

    private static Field nullable(String name, ArrowType type) {
        return Field.nullable(name, type);
    }

    private static Field required(String name, ArrowType type) {
        return new Field(name, FieldType.notNullable(type), null);
    }

    private static ImportOptions schema(Field... fields) {
        return ImportOptions.none().with("schema", Schemas.toJson(new Schema(List.of(fields))).toString());
    }

    private static final ImportOptions ID_AND_SCORE = schema(required("id", new ArrowType.Int(32, true)),
            nullable("score", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)));

    private ImportException failure(String content, ImportOptions options) throws IOException {
        Path file = write(directory, "bad.csv", content);
        ImportException error = assertThrows(ImportException.class, () -> load(file, options));
        assertEquals(file, error.file());
        return error;
    }

    @Test
    void everyDeclaredTypeConvertsAndTheSchemaIsKeptAsDeclared() throws IOException {
        Field[] fields = {
            required("i8", new ArrowType.Int(8, true)),
            nullable("u64", new ArrowType.Int(64, false)),
            nullable("f32", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
            nullable("f64", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
            nullable("flag", ArrowType.Bool.INSTANCE),
            nullable("text", ArrowType.Utf8.INSTANCE),
            nullable("raw", ArrowType.Binary.INSTANCE),
            nullable("day", new ArrowType.Date(DateUnit.DAY)),
            nullable("at", new ArrowType.Timestamp(TimeUnit.MILLISECOND, "UTC")),
        };
        Path file = write(directory, "typed.csv", "i8,u64,f32,f64,flag,text,raw,day,at\n"
                + "-128,18446744073709551615,0.1,0.1,TRUE,\"say \"\"hi\"\"\",ab,2024-02-29,2024-01-02T03:04:05.678Z\n"
                + "127,,,,,\"\",,,\n"
                + "0,7,-0.0,NaN,false,x,\"\",1970-01-01,1970-01-01 00:00:00+01:00\n");
        Imported imported = load(file, schema(fields));
        assertEquals(new Schema(List.of(fields)), imported.schema(), "declared names, types and nullability");
        List<Object> first = imported.rows().get(0);
        assertEquals((byte) -128, first.get(0));
        assertEquals(-1L, first.get(1), "2^64-1 as its two's complement");
        assertEquals(Float.floatToRawIntBits(0.1f), Float.floatToRawIntBits((Float) first.get(2)),
                "float32 rounded once from the text");
        assertEquals(Bits.of(0.1), first.get(3));
        assertEquals(true, first.get(4));
        assertEquals("say \"hi\"", first.get(5));
        assertArrayEquals("ab".getBytes(StandardCharsets.UTF_8), (byte[]) first.get(6));
        assertEquals((int) LocalDate.of(2024, 2, 29).toEpochDay(), first.get(7));
        assertEquals(Instant.parse("2024-01-02T03:04:05.678Z").toEpochMilli(), first.get(8));
        assertEquals(Arrays.asList((byte) 127, null, null, null, null, "", null, null, null), imported.rows().get(1));
        List<Object> third = imported.rows().get(2);
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits((Float) third.get(2)));
        assertEquals(Bits.of(Double.NaN), third.get(3));
        assertArrayEquals(new byte[0], (byte[]) third.get(6));
        assertEquals(-3_600_000L, third.get(8), "the offset is applied");
    }

    @Test
    void aValueThatDoesNotParseNamesFileLineColumnValueAndType() throws IOException {
        ImportException error = failure("id,score\n1,0.5\n2,abc\n", ID_AND_SCORE);
        assertEquals("line 3, column 2 'score'", error.location());
        assertEquals("value 'abc' does not parse as float64", error.reason());
        assertEquals("Cannot import " + error.file() + ": line 3, column 2 'score': value 'abc' does not parse as "
                + "float64", error.getMessage());
    }

    @Test
    void aNullInANonNullableFieldIsAnError() throws IOException {
        ImportException error = failure("id,score\n1,0.5\n,0.25\n", ID_AND_SCORE);
        assertEquals("line 3, column 1 'id'", error.location());
        assertEquals("empty value (null) in non-nullable int32 column", error.reason());
    }

    @Test
    void anIntOutsideItsDeclaredWidthIsAnError() throws IOException {
        ImportException error = failure("id,score\n2147483648,1\n", ID_AND_SCORE);
        assertEquals("line 2, column 1 'id'", error.location());
        assertEquals("value '2147483648' is out of range for int32 (-2147483648 to 2147483647)", error.reason());
        ImportException negative = failure("u\n-1\n", schema(nullable("u", new ArrowType.Int(16, false))));
        assertEquals("value '-1' does not parse as uint16", negative.reason());
    }

    @Test
    void aQuotedEmptyOrEscapedValueIsNotANumber() throws IOException {
        assertEquals("value '' does not parse as int32", failure("id,score\n\"\",1\n", ID_AND_SCORE).reason());
        ImportException escaped = failure("id,score\n\"1\"\"\n2\",1\n", ID_AND_SCORE);
        assertEquals("line 2, column 1 'id'", escaped.location());
        assertEquals("value '1\"\\n2' does not parse as int32", escaped.reason(), "line ends shown escaped");
    }

    @Test
    void float32OverflowAndTimestampsFinerThanTheUnitAreErrors() throws IOException {
        ImportException overflow = failure("f\n1e39\n",
                schema(nullable("f", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE))));
        assertEquals("value '1e39' is out of range for float32 (magnitude at most 3.4028235E38)", overflow.reason());
        ImportException fine = failure("t\n2024-01-01T00:00:00.5\n",
                schema(nullable("t", new ArrowType.Timestamp(TimeUnit.SECOND, null))));
        assertEquals("value '2024-01-01T00:00:00.5' is finer than timestamp[s] can hold", fine.reason());
    }

    @Test
    void theHeaderMustNameTheDeclaredFieldsInOrder() throws IOException {
        ImportException renamed = failure("id,points\n1,2\n", ID_AND_SCORE);
        assertEquals("line 1", renamed.location());
        assertEquals("column 2 is named 'points', the schema declares 'score'", renamed.reason());
        ImportException extra = failure("id,score,note\n1,2,x\n", ID_AND_SCORE);
        assertEquals("the header has 3 columns, the schema declares 2 (id, score)", extra.reason());
        ImportException missing = failure("id\n1\n", ID_AND_SCORE);
        assertEquals("the header has 1 columns, the schema declares 2 (id, score)", missing.reason());
    }

    @Test
    void withoutAHeaderTheSchemaNamesTheColumnsAndFixesTheirCount() throws IOException {
        Path file = write(directory, "plain.csv", "1,0.5\n2,\n");
        Imported imported = load(file, ID_AND_SCORE.with("header", "false"));
        assertEquals(List.of("id", "score"), imported.schema().getFields().stream().map(Field::getName).toList());
        assertEquals(List.of(Arrays.asList(1, Bits.of(0.5)), Arrays.asList(2, null)), imported.rows());
        ImportException ragged = failure("1,0.5\n2,0.5,9\n", ID_AND_SCORE.with("header", "false"));
        assertEquals("line 2", ragged.location());
        assertEquals("3 fields, expected 2", ragged.reason());
    }

    @Test
    void theFirstViolationInFileOrderIsReportedWhateverTheThreadCount() throws IOException {
        StringBuilder csv = new StringBuilder("id,score\n");
        for (int i = 0; i < 30_000; i++) {
            csv.append(i).append(',').append(i == 21_000 || i == 25_000 ? "oops" : i + ".5").append('\n');
        }
        Path file = write(directory, "long.csv", csv.toString());
        for (int threads : new int[] {1, 2, 4}) {
            ImportException error = assertThrows(ImportException.class,
                    () -> load(List.of(file), ID_AND_SCORE, threads));
            assertEquals("line 21002, column 2 'score'", error.location(), threads + " threads");
        }
        Path good = write(directory, "good.csv", csv.toString().replace("oops", "1"));
        assertEquals(load(List.of(good), ID_AND_SCORE, 1).rows(), load(List.of(good), ID_AND_SCORE, 3).rows());
    }

    @Test
    void aSchemaACsvCannotHoldIsRejectedNamingTheField() throws IOException {
        Path file = write(directory, "a.csv", "a\n1\n");
        LodeException nested = assertThrows(LodeException.class, () -> load(file, schema(new Field("a",
                FieldType.nullable(ArrowType.List.INSTANCE), List.of(nullable("element", ArrowType.Utf8.INSTANCE))))));
        assertEquals("Option schema: field 'a' has type List, which a CSV column cannot hold (int, floatingpoint,"
                + " bool, utf8, binary, date of days, timestamp)", nested.getMessage());
        LodeException malformed = assertThrows(LodeException.class,
                () -> load(file, ImportOptions.none().with("schema", "{\"fields\":[{\"name\":\"a\"}]}")));
        assertEquals(true, malformed.getMessage().startsWith("Option schema"), malformed.getMessage());
        LodeException empty = assertThrows(LodeException.class,
                () -> load(file, ImportOptions.none().with("schema", "{\"fields\":[]}")));
        assertEquals("Option schema declares no fields", empty.getMessage());
    }
}
