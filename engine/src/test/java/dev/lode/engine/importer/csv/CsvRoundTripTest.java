package dev.lode.engine.importer.csv;

import dev.lode.engine.LodeException;
import dev.lode.engine.importer.ImportContext;
import dev.lode.engine.importer.ImportOptions;
import dev.lode.engine.importer.ImportTable;
import dev.lode.engine.importer.csv.CsvTesting.Imported;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static dev.lode.engine.importer.csv.CsvTesting.load;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Seeded random files: thread-count independence, and import, write, import again giving the same values. */
class CsvRoundTripTest {
    @TempDir
    Path directory;

    /** Writes a random CSV with every type, nulls, quoting, CRLF and floats that stress round-tripping. */
    static void generate(Path file, long seed, int rows) throws IOException {
        Random random = new Random(seed);
        double[] specials = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0,
                Double.MIN_VALUE, Double.MAX_VALUE, 0.1, 1e-300};
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("id,amount,flag,day,at,label,mixed\n");
            for (int row = 0; row < rows; row++) {
                out.write(Long.toString(random.nextLong()));
                out.write(',');
                if (random.nextInt(10) > 0) {
                    double value = random.nextInt(20) == 0 ? specials[random.nextInt(specials.length)]
                            : Double.longBitsToDouble(random.nextLong() & 0x7FEF_FFFF_FFFF_FFFFL)
                            * (random.nextBoolean() ? 1 : -1);
                    out.write(random.nextBoolean() ? Double.toString(value) : Double.toString(value).toLowerCase());
                }
                out.write(',');
                out.write(random.nextBoolean() ? "true" : "FALSE");
                out.write(',');
                out.write(String.format("%04d-%02d-%02d", 1 + random.nextInt(9998), 1 + random.nextInt(12),
                        1 + random.nextInt(28)));
                out.write(',');
                out.write(String.format("2020-01-02T03:04:%02d.%06d%s", random.nextInt(60), random.nextInt(1_000_000),
                        random.nextBoolean() ? "Z" : "-05:30"));
                out.write(',');
                switch (random.nextInt(6)) {
                    case 0 -> out.write("\"with, comma and \"\"quotes\"\"\"");
                    case 1 -> out.write("\"multi\nline ü\"");
                    case 2 -> out.write("\"\"");
                    case 3 -> { }
                    default -> out.write("plain" + random.nextInt(1000));
                }
                out.write(',');
                out.write(random.nextInt(3) == 0 ? Integer.toString(random.nextInt()) : "");
                out.write(random.nextInt(4) == 0 ? "\r\n" : "\n");
            }
            out.write("0,1.5,true,2000-01-01,2000-01-01 00:00:00,last,2.5");
        }
    }

    @Test
    void outputDoesNotDependOnThreadCount() throws IOException {
        long seed = System.nanoTime();
        System.out.println("CsvRoundTripTest.outputDoesNotDependOnThreadCount seed " + seed);
        Path file = directory.resolve("random.csv");
        generate(file, seed, 200_000);
        Imported one = load(List.of(file), ImportOptions.none(), 1);
        Imported four = load(List.of(file), ImportOptions.none(), 4);
        assertEquals(200_001, one.rows().size(), "seed " + seed);
        assertTrue(one.batches() > 10, "several chunks, seed " + seed);
        assertEquals(one.schema(), four.schema(), "seed " + seed);
        assertEquals(one.rows(), four.rows(), "seed " + seed);
        assertEquals(List.of("Int(64, true)", "FloatingPoint(DOUBLE)", "Bool", "Date(DAY)",
                        "Timestamp(MICROSECOND, UTC)", "Utf8", "FloatingPoint(DOUBLE)"),
                one.schema().getFields().stream().map(field -> field.getType().toString()).toList());
    }

    @Test
    void importWriteImportGivesTheSameValues() throws IOException {
        long seed = System.nanoTime();
        System.out.println("CsvRoundTripTest.importWriteImportGivesTheSameValues seed " + seed);
        Path source = directory.resolve("source.csv");
        generate(source, seed, 20_000);
        Path written = directory.resolve("written.csv");
        try (BufferAllocator allocator = new RootAllocator();
             ImportTable table = new CsvImporter().open(List.of(source), ImportOptions.none(),
                     new ImportContext(allocator, 2, bytes -> { }));
             CsvWriter writer = CsvWriter.open(written, table.schema())) {
            table.read(writer::write);
        }
        Imported first = load(source);
        Imported second = load(written);
        assertEquals(first.schema(), second.schema(), "seed " + seed);
        assertEquals(first.rows(), second.rows(), "seed " + seed);
    }

    @Test
    void oneColumnWithNullsAndEmptyStringsRoundTrips() throws IOException {
        Path source = CsvTesting.write(directory, "one.csv", "s\nx\n\n\"\"\n\"a|b\"\n");
        Path written = directory.resolve("one-out.csv");
        try (BufferAllocator allocator = new RootAllocator();
             ImportTable table = new CsvImporter().open(List.of(source), ImportOptions.none(),
                     new ImportContext(allocator, 1, bytes -> { }))) {
            try (CsvWriter writer = CsvWriter.open(written, table.schema())) {
                table.read(writer::write);
            }
        }
        assertEquals("s\nx\n\n\"\"\n\"a|b\"\n", Files.readString(written));
        assertEquals(load(source).rows(), load(written).rows());
    }

    @Test
    void writerRejectsUnsupportedTypesNamingTheColumn() {
        Schema schema = new Schema(List.of(Field.nullable("ok", ArrowType.Utf8.INSTANCE),
                Field.nullable("blob", new ArrowType.FloatingPoint(FloatingPointPrecision.HALF))));
        Path out = directory.resolve("x.csv");
        LodeException e = assertThrows(LodeException.class, () -> CsvWriter.open(out, schema));
        assertTrue(e.getMessage().contains("'blob'"), e.getMessage());
        assertFalse(Files.exists(out));
    }

    @Test
    void writeAllAtOnce() throws IOException {
        Schema schema = new Schema(List.of(Field.nullable("n", new ArrowType.Int(64, true))));
        Path out = directory.resolve("n.csv");
        try (BufferAllocator allocator = new RootAllocator();
             VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
            org.apache.arrow.vector.BigIntVector vector = (org.apache.arrow.vector.BigIntVector) root.getVector(0);
            vector.allocateNew(2);
            vector.set(0, -7);
            vector.setNull(1);
            root.setRowCount(2);
            CsvWriter.write(out, schema, List.of(root));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        assertEquals("n\n-7\n\n", Files.readString(out));
    }
}
