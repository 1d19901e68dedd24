package dev.lode.engine;

import dev.lode.engine.importer.hdf5.Hdf5Fixtures;
import dev.lode.engine.importer.numpy.NpyWriter;
import dev.lode.engine.parquet.FragmentReader;
import dev.lode.engine.parquet.FragmentWriter;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.types.MatlabType;
import us.hebi.matlab.mat.types.Matrix;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Round trip for every import format: a fixture written here is imported, exported with {@code lode export
 * --format parquet} and {@code --format csv} (Repository.exportParquet / exportCsv, which the command calls), and the
 * exported values are compared with what the fixture wrote: the Parquet values exactly (floats by their raw bits,
 * NaN payloads included), the CSV text cell by cell against the documented rendering (CsvWriter), with every float
 * cell parsed back to the written bits.
 */
class ExportRoundTripTest {
    @TempDir
    Path folder;

    /** A float32 or float64 by its raw bits, so that -0.0 and NaN payloads compare exactly. */
    record F32(int bits) {
        static F32 of(float value) {
            return new F32(Float.floatToRawIntBits(value));
        }
    }

    record F64(long bits) {
        static F64 of(double value) {
            return new F64(Double.doubleToRawLongBits(value));
        }
    }

    record Bytes(String hex) {
        static Bytes of(byte[] value) {
            return new Bytes(HexFormat.of().formatHex(value));
        }
    }

    /** What a fixture wrote: its sources and the rows (canonical values as above) the import must hold. */
    record Written(List<Path> sources, List<String> columns, List<List<Object>> rows) {
    }

    @FunctionalInterface
    interface Fixture {
        Written write(Path folder) throws Exception;
    }

    private static List<Object> row(Object... values) {
        return Arrays.asList(values);
    }

    static Stream<Arguments> formats() {
        return Stream.of(
                Arguments.of("csv", (Fixture) folder -> delimited(folder, "data.csv", ",")),
                Arguments.of("tsv", (Fixture) folder -> delimited(folder, "data.tsv", "\t")),
                Arguments.of("json", (Fixture) ExportRoundTripTest::jsonLines),
                Arguments.of("npy", (Fixture) ExportRoundTripTest::npy),
                Arguments.of("npz", (Fixture) ExportRoundTripTest::npz),
                Arguments.of("hdf5", (Fixture) ExportRoundTripTest::hdf5),
                Arguments.of("mat v5", (Fixture) ExportRoundTripTest::matV5),
                Arguments.of("mat v7.3", (Fixture) ExportRoundTripTest::matV73),
                Arguments.of("image folder", (Fixture) ExportRoundTripTest::imageFolder),
                Arguments.of("parquet", (Fixture) folder -> arrowTable(folder, "data.parquet")),
                Arguments.of("arrow", (Fixture) folder -> arrowTable(folder, "data.arrow")));
    }

    // ---- fixtures

    private static Written delimited(Path folder, String name, String d) throws IOException {
        Path file = Files.writeString(folder.resolve(name), String.join(d, "id", "score", "name", "flag", "day", "at")
                + "\n" + String.join(d, "1", "0.1", "a", "true", "2024-02-29", "2024-01-02T03:04:05.5Z") + "\n"
                + String.join(d, "-2", "-0.0", "\"x,y\"\"z\"", "false", "", "") + "\n"
                + String.join(d, "3", "NaN", "", "TRUE", "1970-01-01", "1969-12-31T23:59:59.999999Z") + "\n"
                + String.join(d, "4", "4.9E-324", "\"\"", "", "0001-01-01", "9999-12-31 23:59:59") + "\n");
        long micros = Instant.parse("2024-01-02T03:04:05.5Z").toEpochMilli() * 1000;
        return new Written(List.of(file), List.of("id", "score", "name", "flag", "day", "at"), List.of(
                row(1L, F64.of(0.1), "a", true, days("2024-02-29"), micros),
                row(-2L, F64.of(-0.0), "x,y\"z", false, null, null),
                row(3L, F64.of(Double.NaN), null, true, 0, -1L),
                row(4L, F64.of(Double.MIN_VALUE), "", null, days("0001-01-01"),
                        Instant.parse("9999-12-31T23:59:59Z").getEpochSecond() * 1_000_000)));
    }

    private static Written jsonLines(Path folder) throws IOException {
        Path file = Files.writeString(folder.resolve("data.jsonl"), """
                {"id": 1, "v": 0.5, "tags": ["a", "b\\"c"], "p": {"x": 1, "y": true}}
                {"id": 2, "v": -1e-300, "tags": [], "p": {"x": null, "y": false}}
                {"id": 3, "v": null, "p": null}
                """);
        Map<String, Object> first = new LinkedHashMap<>();
        first.put("x", 1L);
        first.put("y", true);
        Map<String, Object> second = new LinkedHashMap<>();
        second.put("x", null);
        second.put("y", false);
        return new Written(List.of(file), List.of("id", "v", "tags", "p"), List.of(
                row(1L, F64.of(0.5), List.of("a", "b\"c"), first),
                row(2L, F64.of(-1e-300), List.of(), second),
                row(3L, null, null, null)));
    }

    private static final float[] FLOATS = {1.5f, -0.0f, Float.intBitsToFloat(0x7fc00123), Float.MIN_VALUE,
        Float.NEGATIVE_INFINITY, 0.1f};

    private static Written npy(Path folder) throws IOException {
        Path file = Files.write(folder.resolve("x.npy"), NpyWriter.array("<f4", false, new long[] {3, 2},
                i -> Float.floatToRawIntBits(FLOATS[i]) & 0xFFFF_FFFFL));
        return new Written(List.of(file), List.of("x"), List.of(
                row(List.of(F32.of(FLOATS[0]), F32.of(FLOATS[1]))),
                row(List.of(F32.of(FLOATS[2]), F32.of(FLOATS[3]))),
                row(List.of(F32.of(FLOATS[4]), F32.of(FLOATS[5])))));
    }

    private static Written npz(Path folder) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("b.npy"));
            zip.write(NpyWriter.array(">u2", false, new long[] {3}, i -> new long[] {0, 65535, 7}[i]));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("a.npy"));
            zip.write(NpyWriter.array("<i8", true, new long[] {3}, i -> new long[] {Long.MIN_VALUE, -1, 42}[i]));
            zip.closeEntry();
        }
        Path file = Files.write(folder.resolve("data.npz"), bytes.toByteArray());
        return new Written(List.of(file), List.of("a", "b"), List.of(
                row(Long.MIN_VALUE, 0L), row(-1L, 65535L), row(42L, 7L)));
    }

    private static Written hdf5(Path folder) throws IOException {
        Path file = folder.resolve("data.h5");
        try (WritableHdfFile writer = HdfFile.write(file)) {
            writer.putDataset("d", new double[] {Math.PI, -0.0, Double.MAX_VALUE});
            writer.putDataset("i", new int[][] {{1, 2}, {Integer.MIN_VALUE, 4}, {5, Integer.MAX_VALUE}});
        }
        return new Written(List.of(file), List.of("d", "i"), List.of(
                row(F64.of(Math.PI), List.of(1L, 2L)),
                row(F64.of(-0.0), List.of((long) Integer.MIN_VALUE, 4L)),
                row(F64.of(Double.MAX_VALUE), List.of(5L, (long) Integer.MAX_VALUE))));
    }

    private static Written matV5(Path folder) throws IOException {
        Matrix m = Mat5.newMatrix(3, 2);
        double[] values = {1.25, -0.0, 1e-310, Double.NEGATIVE_INFINITY, 7, 8};
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 2; c++) {
                m.setDouble(r, c, values[r * 2 + c]);
            }
        }
        Matrix v = Mat5.newMatrix(3, 1, MatlabType.Int16);
        v.setShort(0, (short) -32768);
        v.setShort(1, (short) 0);
        v.setShort(2, (short) 32767);
        Path file = folder.resolve("data.mat");
        Mat5.writeToFile(Mat5.newMatFile().addArray("m", m).addArray("v", v), file.toFile());
        return new Written(List.of(file), List.of("m", "v"), List.of(
                row(List.of(F64.of(1.25), F64.of(-0.0)), -32768L),
                row(List.of(F64.of(1e-310), F64.of(Double.NEGATIVE_INFINITY)), 0L),
                row(List.of(F64.of(7), F64.of(8)), 32767L)));
    }

    private static Written matV73(Path folder) throws IOException {
        Path plain = folder.resolve("plain.h5");
        try (WritableHdfFile writer = HdfFile.write(plain)) {
            // MATLAB [0.5 1; -0 2; 3 4] (3x2) is stored column by column, HDF5 shape (2, 3)
            writer.putDataset("a", new double[][] {{0.5, -0.0, 3}, {1, 2, 4}}).putAttribute("MATLAB_class", "double");
        }
        Path file = Files.write(folder.resolve("data.mat"), Hdf5Fixtures.withUserBlock(Files.readAllBytes(plain),
                "MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024 HDF5 schema 1.00 ."));
        return new Written(List.of(file), List.of("a"), List.of(
                row(List.of(F64.of(0.5), F64.of(1))), row(List.of(F64.of(-0.0), F64.of(2))),
                row(List.of(F64.of(3), F64.of(4)))));
    }

    private static Written imageFolder(Path folder) throws IOException {
        Path root = folder.resolve("images");
        byte[] small = png(3, 2);
        byte[] large = png(5, 4);
        Files.createDirectories(root.resolve("cat"));
        Files.createDirectories(root.resolve("dog"));
        Files.write(root.resolve("cat/b.png"), small);
        Files.write(root.resolve("dog/a.png"), large);
        return new Written(List.of(root), List.of("image", "label", "label_index", "path", "width", "height"),
                List.of(row(Bytes.of(small), "cat", 0L, "cat/b.png", 3L, 2L),
                        row(Bytes.of(large), "dog", 1L, "dog/a.png", 5L, 4L)));
    }

    private static byte[] png(int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, 0x123456);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    /** One table of the types importers do not infer from text, written as Parquet or as an Arrow IPC file. */
    private static Written arrowTable(Path folder, String name) throws IOException {
        Field element = Field.nullable("element", new ArrowType.Int(32, true));
        Schema schema = new Schema(List.of(
                Field.nullable("i8", new ArrowType.Int(8, true)),
                Field.nullable("u16", new ArrowType.Int(16, false)),
                Field.nullable("f32", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
                Field.nullable("f64", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
                Field.nullable("s", ArrowType.Utf8.INSTANCE),
                Field.nullable("b", ArrowType.Binary.INSTANCE),
                Field.nullable("fb", new ArrowType.FixedSizeBinary(2)),
                Field.nullable("day", new ArrowType.Date(DateUnit.DAY)),
                Field.nullable("ns", new ArrowType.Timestamp(TimeUnit.NANOSECOND, "UTC")),
                new Field("ints", FieldType.nullable(ArrowType.List.INSTANCE), List.of(element)),
                new Field("st", FieldType.nullable(ArrowType.Struct.INSTANCE), List.of(
                        Field.nullable("k", new ArrowType.Int(64, true)),
                        Field.nullable("f", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE))))));
        Path file = folder.resolve(name);
        try (BufferAllocator allocator = new RootAllocator();
             VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
            root.allocateNew();
            ((TinyIntVector) root.getVector("i8")).setSafe(0, -128);
            ((TinyIntVector) root.getVector("i8")).setSafe(1, 127);
            ((UInt2Vector) root.getVector("u16")).setSafe(0, 65535);
            ((Float4Vector) root.getVector("f32")).setSafe(0, Float.intBitsToFloat(0x7fc00123));
            ((Float4Vector) root.getVector("f32")).setSafe(1, -0.0f);
            ((Float8Vector) root.getVector("f64")).setSafe(0, Double.longBitsToDouble(0x7ff8000000000abcL));
            ((Float8Vector) root.getVector("f64")).setSafe(1, 2.5e-8);
            ((VarCharVector) root.getVector("s")).setSafe(0, "héllo, \"wörld\"\n".getBytes(StandardCharsets.UTF_8));
            ((VarCharVector) root.getVector("s")).setSafe(1, new byte[0]);
            ((VarBinaryVector) root.getVector("b")).setSafe(0, new byte[] {0, (byte) 0xFF, 10});
            ((FixedSizeBinaryVector) root.getVector("fb")).setSafe(1, new byte[] {1, 2});
            ((DateDayVector) root.getVector("day")).setSafe(0, -719162);
            ((TimeStampNanoTZVector) root.getVector("ns")).setSafe(0, 1_700_000_000_123_456_789L);
            ((TimeStampNanoTZVector) root.getVector("ns")).setSafe(1, -1L);
            UnionListWriter list = ((ListVector) root.getVector("ints")).getWriter();
            list.setPosition(0);
            list.startList();
            list.writeInt(1);
            list.writeInt(-2);
            list.endList();
            list.setPosition(1);
            list.startList();
            list.endList();
            StructVector struct = (StructVector) root.getVector("st");
            struct.setIndexDefined(0);
            ((BigIntVector) struct.getChild("k")).setSafe(0, 9);
            ((Float4Vector) struct.getChild("f")).setSafe(0, 0.25f);
            struct.setIndexDefined(1);
            ((Float4Vector) struct.getChild("f")).setSafe(1, Float.POSITIVE_INFINITY);
            root.setRowCount(2);
            for (FieldVector vector : root.getFieldVectors()) {
                vector.setValueCount(2);
            }
            if (name.endsWith(".parquet")) {
                try (FragmentWriter writer = FragmentWriter.create(schema, file)) {
                    writer.write(root, 0, 2);
                    writer.finish();
                }
            } else {
                try (OutputStream out = Files.newOutputStream(file);
                     ArrowFileWriter writer = new ArrowFileWriter(root, null, Channels.newChannel(out))) {
                    writer.start();
                    writer.writeBatch();
                    writer.end();
                }
            }
        }
        Map<String, Object> first = new LinkedHashMap<>();
        first.put("k", 9L);
        first.put("f", F32.of(0.25f));
        Map<String, Object> second = new LinkedHashMap<>();
        second.put("k", null);
        second.put("f", F32.of(Float.POSITIVE_INFINITY));
        return new Written(List.of(file), schema.getFields().stream().map(Field::getName).toList(), List.of(
                row(-128L, 65535L, new F32(0x7fc00123), new F64(0x7ff8000000000abcL), "héllo, \"wörld\"\n",
                        Bytes.of(new byte[] {0, (byte) 0xFF, 10}), null, -719162, 1_700_000_000_123_456_789L,
                        List.of(1L, -2L), first),
                row(127L, null, F32.of(-0.0f), F64.of(2.5e-8), "", null, Bytes.of(new byte[] {1, 2}), null, -1L,
                        List.of(), second)));
    }

    private static int days(String date) {
        return (int) LocalDate.parse(date).toEpochDay();
    }

    // ---- reading back

    /** The canonical value of a vector's entry: Long for ints (unsigned as unsigned), F32/F64, Bytes, List, Map. */
    private static Object canonical(FieldVector vector, int index) {
        if (vector.isNull(index)) {
            return null;
        }
        return switch (vector) {
            case BaseIntVector integers -> {
                long value = integers.getValueAsLong(index);
                ArrowType.Int type = (ArrowType.Int) vector.getField().getType();
                yield type.getIsSigned() || type.getBitWidth() == 64 ? value
                        : value & ((1L << type.getBitWidth()) - 1);
            }
            case Float4Vector floats -> new F32(Float.floatToRawIntBits(floats.get(index)));
            case Float8Vector floats -> new F64(Double.doubleToRawLongBits(floats.get(index)));
            case BitVector bits -> bits.get(index) != 0;
            case VarCharVector text -> new String(text.get(index), StandardCharsets.UTF_8);
            case VarBinaryVector binary -> Bytes.of(binary.get(index));
            case FixedSizeBinaryVector binary -> Bytes.of(binary.get(index));
            case DateDayVector dates -> dates.get(index);
            case TimeStampVector timestamps -> timestamps.get(index);
            case FixedSizeListVector list -> elements(list.getDataVector(), index * list.getListSize(),
                    (index + 1) * list.getListSize());
            case ListVector list -> elements(list.getDataVector(), list.getElementStartIndex(index),
                    list.getElementEndIndex(index));
            case StructVector struct -> {
                Map<String, Object> members = new LinkedHashMap<>();
                for (FieldVector child : struct.getChildrenFromFields()) {
                    members.put(child.getName(), canonical(child, index));
                }
                yield members;
            }
            default -> throw new IllegalStateException("unexpected vector " + vector.getClass());
        };
    }

    private static List<Object> elements(FieldVector elements, int start, int end) {
        List<Object> values = new ArrayList<>();
        for (int i = start; i < end; i++) {
            values.add(canonical(elements, i));
        }
        return values;
    }

    /** The CSV text of a canonical value of a field, by CsvWriter's documented rules (written independently). */
    private static String csvText(Field field, Object value, boolean nested) {
        if (value == null) {
            return nested ? "null" : "";
        }
        ArrowType type = field.getType();
        String text = switch (value) {
            case Long number when type instanceof ArrowType.Int integer && !integer.getIsSigned() ->
                    Long.toUnsignedString(number);
            case Long number -> Long.toString(number);
            case F32 f -> Float.toString(Float.intBitsToFloat(f.bits()));
            case F64 f -> Double.toString(Double.longBitsToDouble(f.bits()));
            case Boolean b -> b.toString();
            case String s -> nested ? json(s) : s;
            case Bytes b -> quoted(Base64.getEncoder().encodeToString(HexFormat.of().parseHex(b.hex())), nested);
            case Integer day -> quoted(LocalDate.ofEpochDay(day).toString(), nested);
            case List<?> list -> {
                Field element = field.getChildren().getFirst();
                List<String> parts = new ArrayList<>();
                list.forEach(item -> parts.add(csvText(element, item, true)));
                yield "[" + String.join(",", parts) + "]";
            }
            case Map<?, ?> members -> {
                List<String> parts = new ArrayList<>();
                for (Field child : field.getChildren()) {
                    parts.add(json(child.getName()) + ":" + csvText(child, members.get(child.getName()), true));
                }
                yield "{" + String.join(",", parts) + "}";
            }
            default -> throw new IllegalStateException("unexpected value " + value);
        };
        if (type instanceof ArrowType.Timestamp timestamp) {
            text = quoted(timestampText(timestamp, (Long) value), nested);
        }
        return text;
    }

    private static String timestampText(ArrowType.Timestamp type, long value) {
        long perSecond = switch (type.getUnit()) {
            case SECOND -> 1;
            case MILLISECOND -> 1_000;
            case MICROSECOND -> 1_000_000;
            case NANOSECOND -> 1_000_000_000;
        };
        int digits = Long.toString(perSecond).length() - 1;
        Instant instant = Instant.ofEpochSecond(Math.floorDiv(value, perSecond));
        String text = instant.atOffset(ZoneOffset.UTC).toLocalDateTime().toString();
        if (text.length() == 16) {
            text += ":00"; // LocalDateTime omits zero seconds
        }
        long fraction = Math.floorMod(value, perSecond);
        if (fraction != 0) {
            text += "." + String.format("%0" + digits + "d", fraction);
        }
        return type.getTimezone() != null ? text + "Z" : text;
    }

    private static String quoted(String text, boolean nested) {
        return nested ? json(text) : text;
    }

    private static String json(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r")
                .replace("\t", "\\t") + "\"";
    }

    /** RFC 4180 fields of a whole CSV file. */
    private static List<List<String>> parseCsv(String text) {
        List<List<String>> records = new ArrayList<>();
        List<String> record = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '"' && field.isEmpty()) {
                i++;
                while (true) {
                    char q = text.charAt(i);
                    if (q == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i += 2;
                    } else if (q == '"') {
                        i++;
                        break;
                    } else {
                        field.append(q);
                        i++;
                    }
                }
                continue;
            }
            if (c == ',' || c == '\n') {
                record.add(field.toString());
                field.setLength(0);
                if (c == '\n') {
                    records.add(record);
                    record = new ArrayList<>();
                }
            } else {
                field.append(c);
            }
            i++;
        }
        return records;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void importThenExportAsParquetAndCsvGivesBackExactlyWhatWasWritten(String format, Fixture fixture)
            throws Exception {
        Written written = fixture.write(folder);
        try (Repository repository = Repository.init(folder.resolve("repo"))) {
            ImportResult imported = repository.importFiles(ImportRequest.of("d", written.sources()));
            Schema schema = dev.lode.engine.parquet.Schemas.fromJson(imported.manifest().schema());
            assertEquals(written.columns(), schema.getFields().stream().map(Field::getName).toList(), format);

            List<List<Object>> fromParquet = new ArrayList<>();
            try (BufferAllocator allocator = new RootAllocator()) {
                for (Path part : repository.exportParquet(imported.manifest(), folder.resolve("parquet"))) {
                    FragmentReader.read(part, allocator, 1024, batch -> {
                        for (int r = 0; r < batch.getRowCount(); r++) {
                            List<Object> values = new ArrayList<>();
                            for (FieldVector vector : batch.getFieldVectors()) {
                                values.add(canonical(vector, r));
                            }
                            fromParquet.add(values);
                        }
                    });
                }
            }
            assertEquals(written.rows(), fromParquet, format + ": Parquet export, floats bit for bit");

            List<Path> csv = repository.exportCsv(imported.manifest(), folder.resolve("csv"));
            List<List<String>> records = parseCsv(Files.readString(csv.getFirst()));
            assertEquals(written.columns(), records.getFirst(), format + ": CSV header");
            List<List<String>> expected = new ArrayList<>();
            for (List<Object> values : written.rows()) {
                List<String> cells = new ArrayList<>();
                for (int c = 0; c < values.size(); c++) {
                    cells.add(csvText(schema.getFields().get(c), values.get(c), false));
                }
                expected.add(cells);
            }
            assertEquals(expected, records.subList(1, records.size()), format + ": CSV export");
            for (int r = 0; r < expected.size(); r++) {
                for (int c = 0; c < written.columns().size(); c++) {
                    Object value = written.rows().get(r).get(c);
                    String cell = records.get(r + 1).get(c);
                    if (value instanceof F64 f && !Double.isNaN(Double.longBitsToDouble(f.bits()))) {
                        assertEquals(f, F64.of(Double.parseDouble(cell)), format + ": float64 text reads back");
                    } else if (value instanceof F32 f && !Float.isNaN(Float.intBitsToFloat(f.bits()))) {
                        assertEquals(f, F32.of(Float.parseFloat(cell)), format + ": float32 text reads back");
                    }
                }
            }
        }
    }
}
