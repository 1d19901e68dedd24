package dev.lode.engine.importer.numpy;

import dev.lode.engine.importer.ImportContext;
import dev.lode.engine.importer.ImportException;
import dev.lode.engine.importer.ImportOptions;
import dev.lode.engine.importer.ImportTable;
import dev.lode.engine.parquet.FragmentReader;
import dev.lode.engine.parquet.FragmentWriter;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpyImporterTest {
    @TempDir
    Path directory;

    /** What an import gave: the schema and every row as a list of column values (getObject). */
    record Imported(Schema schema, List<List<Object>> rows, int batches) {
        List<Object> column(int index) {
            return rows.stream().map(row -> row.get(index)).toList();
        }
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(directory.resolve(name), bytes);
    }

    private static Imported load(Path... files) throws IOException {
        List<List<Object>> rows = new ArrayList<>();
        int[] batches = {0};
        try (BufferAllocator allocator = new RootAllocator();
             ImportTable table = new NpyImporter().open(List.of(files), ImportOptions.none(),
                     new ImportContext(allocator, 1, bytes -> { }))) {
            table.read(batch -> {
                batches[0]++;
                for (int r = 0; r < batch.getRowCount(); r++) {
                    List<Object> row = new ArrayList<>();
                    for (FieldVector vector : batch.getFieldVectors()) {
                        Object value = vector.getObject(r);
                        if (value instanceof Character c) {
                            value = (int) c; // UInt2Vector shows its values as chars
                        }
                        row.add(value instanceof byte[] b ? List.of(Arrays.toString(b))
                                : value == null ? null : value instanceof List<?> l ? List.copyOf(l.stream()
                                .map(v -> v instanceof byte[] b ? Arrays.toString(b) : String.valueOf(v)).toList())
                                : value.toString());
                    }
                    rows.add(row);
                }
            });
            return new Imported(table.schema(), rows, batches[0]);
        }
    }

    private static ImportException failure(Path... files) {
        return assertThrows(ImportException.class, () -> load(files));
    }

    @ParameterizedTest
    @ValueSource(strings = {"<", ">"})
    void readsEveryIntegerAndFloatDtypeInEitherByteOrder(String order) throws IOException {
        long[] shape = {4};
        long[] ints = {0, -1, 100, Long.MIN_VALUE};
        String[][] cases = {
                {"i1", "[0, -1, 100, 0]"}, {"i2", "[0, -1, 100, 0]"}, {"i4", "[0, -1, 100, 0]"},
                {"i8", "[0, -1, 100, " + Long.MIN_VALUE + "]"},
                {"u1", "[0, 255, 100, 0]"}, {"u2", "[0, 65535, 100, 0]"}, {"u4", "[0, 4294967295, 100, 0]"},
                {"u8", "[0, -1, 100, " + Long.MIN_VALUE + "]"}};
        for (String[] c : cases) {
            Path file = write(c[0] + order + ".npy", NpyWriter.array(order + c[0], false, shape, i -> ints[i]));
            Imported imported = load(file);
            int bits = 8 * Integer.parseInt(c[0].substring(1));
            assertEquals(new ArrowType.Int(bits, c[0].charAt(0) == 'i'), imported.schema().getFields().getFirst().getType());
            List<Object> column = imported.column(0);
            if (c[0].startsWith("u") && bits < 64) {
                // Arrow Java shows unsigned 8/16-bit values as their unsigned numbers, 32-bit as signed int
                column = column.stream().map(v -> (Object) String.valueOf(Long.parseLong((String) v) & ((1L << bits) - 1))).toList();
            }
            assertEquals(c[1], column.toString(), c[0]);
            assertEquals(c[0] + order, imported.schema().getFields().getFirst().getName());
        }
        float[] floats = {1.5f, -0.0f, Float.intBitsToFloat(0x7fc00123), Float.MIN_VALUE};
        Path f4 = write("f4.npy", NpyWriter.array(order + "f4", false, shape, i -> Float.floatToRawIntBits(floats[i])));
        assertEquals("[1.5, -0.0, NaN, 1.4E-45]", load(f4).column(0).toString());
        double[] doubles = {1e300, -2.5, Double.NEGATIVE_INFINITY, 0};
        Path f8 = write("f8.npy", NpyWriter.array(order + "f8", false, shape, i -> Double.doubleToRawLongBits(doubles[i])));
        Imported imported = load(f8);
        assertEquals(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE), imported.schema().getFields().getFirst().getType());
        assertEquals("[1.0E300, -2.5, -Infinity, 0.0]", imported.column(0).toString());
    }

    @Test
    void readsBoolsAndByteStrings() throws IOException {
        Path bools = write("flags.npy", NpyWriter.array("|b1", false, new long[] {3}, i -> i == 1 ? 1 : 0));
        Imported imported = load(bools);
        assertEquals(ArrowType.Bool.INSTANCE, imported.schema().getFields().getFirst().getType());
        assertEquals("[false, true, false]", imported.column(0).toString());

        byte[] data = "ab\0xyz".getBytes(StandardCharsets.US_ASCII);
        Path strings = write("names.npy", NpyWriter.concat(NpyWriter.header(1, NpyWriter.dict("|S3", false, 2), 6), data));
        imported = load(strings);
        assertEquals(new ArrowType.FixedSizeBinary(3), imported.schema().getFields().getFirst().getType());
        assertEquals("[[[97, 98, 0]], [[120, 121, 122]]]", imported.column(0).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"<", ">", "="})
    void readsUnicodeStrippingTrailingNuls(String order) throws IOException {
        int[][] values = {{'h', 'i', 0, 0}, {0x1F600, 'x', 'y', 'z'}, {0, 0, 0, 0}};
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (int[] value : values) {
            for (int code : value) {
                for (int b = 0; b < 4; b++) {
                    data.write(code >>> (8 * (order.equals(">") ? 3 - b : b)));
                }
            }
        }
        Path file = write("text.npy", NpyWriter.concat(NpyWriter.header(3, NpyWriter.dict(order + "U4", false, 3),
                data.size()), data.toByteArray()));
        Imported imported = load(file);
        assertEquals(ArrowType.Utf8.INSTANCE, imported.schema().getFields().getFirst().getType());
        assertEquals(List.of("hi", "\uD83D\uDE00xyz", ""), imported.column(0));
    }

    @Test
    void fortranAndBigEndianGiveTheSameTableAsCOrder() throws IOException {
        long[] shape = {5, 2, 3};
        Imported c = load(write("x.npy", NpyWriter.array("<i4", false, shape, i -> i * 7L - 3)));
        assertEquals("[[-3, 4, 11, 18, 25, 32]]", c.rows().getFirst().toString());
        for (String descr : List.of("<i4", ">i4")) {
            for (boolean fortran : List.of(false, true)) {
                Path directoryFor = Files.createDirectories(directory.resolve(descr.charAt(0) == '<' ? "le" + fortran : "be" + fortran));
                Path file = Files.write(directoryFor.resolve("x.npy"), NpyWriter.array(descr, fortran, shape, i -> i * 7L - 3));
                Imported other = load(file);
                assertEquals(c.rows(), other.rows(), descr + " fortran=" + fortran);
                assertEquals(c.schema(), other.schema());
            }
        }
        long[] wide = {3, 4};
        Imported cf = load(write("f.npy", NpyWriter.array(">f8", true, wide, i -> Double.doubleToRawLongBits(i / 4.0))));
        assertEquals("[[0.0, 0.25, 0.5, 0.75], [1.0, 1.25, 1.5, 1.75], [2.0, 2.25, 2.5, 2.75]]", cf.column(0).toString());
    }

    @Test
    void aMultiDimensionalArrayIsAFixedShapeTensorColumn() throws IOException {
        Path file = write("images.npy", NpyWriter.array("<f4", false, new long[] {2, 3, 2, 2},
                i -> Float.floatToRawIntBits(i)));
        Imported imported = load(file);
        Field field = imported.schema().getFields().getFirst();
        assertEquals("images", field.getName());
        assertEquals(new ArrowType.FixedSizeList(12), field.getType());
        assertEquals(Map.of("ARROW:extension:name", "arrow.fixed_shape_tensor",
                "ARROW:extension:metadata", "{\"shape\":[3,2,2]}"), field.getMetadata());
        assertEquals(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE), field.getChildren().getFirst().getType());
        assertEquals(2, imported.rows().size());
        assertEquals("12.0", ((List<?>) imported.rows().get(1).getFirst()).getFirst());
    }

    @Test
    void largeArraysArriveInSeveralBatches() throws IOException {
        int n = 20_000;
        Path file = write("big.npy", NpyWriter.array("<i8", true, new long[] {n, 2}, i -> i));
        Imported imported = load(file);
        assertEquals(n, imported.rows().size());
        assertEquals(3, imported.batches());
        assertEquals("[39998, 39999]", imported.rows().get(n - 1).getFirst().toString());
    }

    @Test
    void npyFilesConcatenateAlongTheFirstAxis() throws IOException {
        Path a = write("a.npy", NpyWriter.array("<i2", false, new long[] {2, 2}, i -> i));
        Path b = write("b.npy", NpyWriter.array(">i2", true, new long[] {1, 2}, i -> 10 + i));
        Imported imported = load(a, b);
        assertEquals("[[0, 1], [2, 3], [10, 11]]", imported.column(0).toString());
        assertEquals("a", imported.schema().getFields().getFirst().getName());

        Path c = write("c.npy", NpyWriter.array("<i4", false, new long[] {1, 2}, i -> i));
        assertEquals("Cannot import " + c + ": dtype <i4 differs from <i2 in " + a
                + "; sources are concatenated only when their dtypes agree", failure(a, c).getMessage());
        Path d = write("d.npy", NpyWriter.array("<i2", false, new long[] {1, 3}, i -> i));
        assertEquals("Cannot import " + d + ": shape (1, 3) differs after the first axis from shape (2, 2) in " + a
                + "; sources are concatenated only when their trailing shapes agree", failure(a, d).getMessage());
    }

    private static byte[] zip(int method, Map<String, byte[]> members) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (var member : members.entrySet()) {
                ZipEntry entry = new ZipEntry(member.getKey());
                entry.setMethod(method);
                if (method == ZipEntry.STORED) {
                    CRC32 crc = new CRC32();
                    crc.update(member.getValue());
                    entry.setSize(member.getValue().length);
                    entry.setCrc(crc.getValue());
                }
                zip.putNextEntry(entry);
                zip.write(member.getValue());
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(ints = {ZipEntry.STORED, ZipEntry.DEFLATED})
    void npzMembersBecomeColumnsSortedByName(int method) throws IOException {
        Map<String, byte[]> members = new java.util.LinkedHashMap<>();
        members.put("y.npy", NpyWriter.array("<i8", false, new long[] {3}, i -> i * 10));
        members.put("x.npy", NpyWriter.array("<f4", true, new long[] {3, 2}, i -> Float.floatToRawIntBits(i)));
        Path file = write("data.npz", zip(method, members));
        Imported imported = load(file);
        assertEquals(List.of("x", "y"), imported.schema().getFields().stream().map(Field::getName).toList());
        assertEquals("[[[0.0, 1.0], 0], [[2.0, 3.0], 10], [[4.0, 5.0], 20]]", imported.rows().toString());
    }

    @Test
    void npzMembersMustShareTheFirstDimension() throws IOException {
        Path file = write("data.npz", zip(ZipEntry.DEFLATED, Map.of(
                "a.npy", NpyWriter.array("<i8", false, new long[] {3}, i -> i),
                "b.npy", NpyWriter.array("<i8", false, new long[] {4, 2}, i -> i))));
        assertEquals("Cannot import " + file + ": members a.npy (shape (3,)) and b.npy (shape (4, 2)) differ in"
                + " their first dimension", failure(file).getMessage());
    }

    @Test
    void npzRejectsUnsafeMemberNames() throws IOException {
        Path file = write("slip.npz", zip(ZipEntry.DEFLATED, Map.of(
                "../evil.npy", NpyWriter.array("<i8", false, new long[] {3}, i -> i))));
        assertEquals("Cannot import " + file + ": member ../evil.npy: unsafe member name (absolute or containing '..')",
                failure(file).getMessage());
        Path absolute = write("absolute.npz", zip(ZipEntry.STORED, Map.of(
                "/etc/x.npy", NpyWriter.array("<i8", false, new long[] {3}, i -> i))));
        assertTrue(failure(absolute).getMessage().endsWith("member /etc/x.npy: unsafe member name (absolute or containing '..')"));
    }

    @Test
    void npzStopsAMemberThatInflatesBeyondItsDeclaredSize() throws IOException {
        byte[] small = NpyWriter.array("|u1", false, new long[] {4}, i -> i);
        byte[] bomb = NpyWriter.concat(small, new byte[50 << 20]);
        Path file = write("bomb.npz", NpyWriter.forgedZip("x.npy", bomb, small.length));
        assertTrue(Files.size(file) < 200_000, "the bomb is small on disk");
        assertEquals("Cannot import " + file + ": member x.npy: the member inflates to more than its declared "
                + small.length + " bytes (a zip bomb?)", failure(file).getMessage());

        // An honest central directory whose size disagrees with the header is caught before inflating.
        Path honest = write("honest.npz", zip(ZipEntry.DEFLATED, Map.of("x.npy", bomb)));
        assertEquals("Cannot import " + honest + ": member x.npy: the member declares " + bomb.length
                + " bytes uncompressed, but its header implies " + small.length + " (shape (4,) of |u1)",
                failure(honest).getMessage());
    }

    @Test
    void npzThatIsNotAZipIsCorrupt() throws IOException {
        Path file = write("broken.npz", "PK\3\4 this is not really a zip".getBytes(StandardCharsets.US_ASCII));
        assertTrue(failure(file).getMessage().startsWith("Cannot import " + file + ": corrupt zip: "),
                failure(file).getMessage());
    }

    @Test
    void truncatedDataSaysHowMuchIsMissing() throws IOException {
        byte[] whole = NpyWriter.array("<f8", false, new long[] {4, 2}, i -> i);
        Path file = write("short.npy", Arrays.copyOf(whole, whole.length - 10));
        assertEquals("Cannot import " + file + ": byte " + (whole.length - 10)
                + ": truncated: expected 64 bytes of data, found 54", failure(file).getMessage());
        Path zipped = write("short.npz", zip(ZipEntry.DEFLATED, Map.of("m.npy", Arrays.copyOf(whole, whole.length - 10))));
        assertEquals("Cannot import " + zipped + ": member m.npy, byte " + (whole.length - 10)
                + ": truncated: expected 64 bytes of data, found 54", failure(zipped).getMessage());
    }

    @Test
    void badMagicAndBrokenHeadersAreRejected() throws IOException {
        Path file = write("bad.npy", "not numpy at all".getBytes(StandardCharsets.US_ASCII));
        assertEquals("Cannot import " + file + ": byte 0: not a .npy array (bad magic; expected \\x93NUMPY)",
                failure(file).getMessage());
        Path shortHeader = write("header.npy", Arrays.copyOf(NpyWriter.array("<i4", false, new long[] {1}, i -> 1), 40));
        assertEquals("Cannot import " + shortHeader + ": byte 40: truncated header: expected 118 bytes, found 30",
                failure(shortHeader).getMessage());
        Path malformed = write("dict.npy", NpyWriter.header(1, "{'descr': '<i4', 'fortran_order': Maybe, 'shape': (1,), }", 0));
        assertEquals("Cannot import " + malformed + ": byte 44: malformed header dict: expected True or False",
                failure(malformed).getMessage());
        Path unknownKey = write("key.npy", NpyWriter.header(2, "{'descr': '<i4', 'fortran_order': False, 'shape': (0,), 'x': 1}", 0));
        assertEquals("Cannot import " + unknownKey + ": byte 68: malformed header dict: unknown key 'x'",
                failure(unknownKey).getMessage());
        Path version = write("version.npy", new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 4, 0, 0, 0});
        assertEquals("Cannot import " + version + ": byte 6: unsupported .npy format version 4.0 (supported: 1.0, 2.0, 3.0)",
                failure(version).getMessage());
    }

    @Test
    void unsupportedDtypesAndZeroDimensionalArraysAreRejected() throws IOException {
        for (String descr : List.of("<c8", "|O", "<f2", "<M8[ns]", "|V4")) {
            Path file = write("x" + descr.replaceAll("\\W", "_") + ".npy", NpyWriter.header(1, NpyWriter.dict(descr, false, 1), 8));
            String hint = descr.equals("<f2") ? " (float16 is not supported; convert the array to float32)" : "";
            assertEquals("Cannot import " + file + ": unsupported dtype '" + descr + "'" + hint
                    + "; supported: b1, i1-i8, u1-u8, f4, f8, S<n>, U<n>", failure(file).getMessage());
        }
        Path structured = write("s.npy", NpyWriter.header(1,
                "{'descr': [('a', '<i4'), ('b', '<f8')], 'fortran_order': False, 'shape': (1,), }", 12));
        assertEquals("Cannot import " + structured + ": unsupported dtype '[('a', '<i4'), ('b', '<f8')]'"
                + "; supported: b1, i1-i8, u1-u8, f4, f8, S<n>, U<n>", failure(structured).getMessage());
        Path scalar = write("scalar.npy", NpyWriter.concat(NpyWriter.header(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (), }", 4), new byte[4]));
        assertEquals("Cannot import " + scalar + ": 0-d arrays are not supported: the first axis is the sample axis",
                failure(scalar).getMessage());
    }

    @Test
    void anImportedTensorTableSurvivesAParquetRoundTripBitForBit() throws IOException {
        int n = 300;
        float[] specials = {Float.NaN, Float.intBitsToFloat(0x7fc00123), -0.0f, Float.MIN_VALUE, Float.MAX_VALUE};
        Path source = write("t.npy", NpyWriter.array(">f4", true, new long[] {n, 2, 3},
                i -> Float.floatToRawIntBits(i % 7 == 0 ? specials[i % specials.length] : i * 0.37f)));
        Path fragment = directory.resolve("t.parquet");
        List<Integer> want = new ArrayList<>();
        try (BufferAllocator allocator = new RootAllocator();
             ImportTable table = new NpyImporter().open(List.of(source), ImportOptions.none(),
                     new ImportContext(allocator, 1, bytes -> { }))) {
            try (FragmentWriter writer = FragmentWriter.create(table.schema(), fragment)) {
                table.read(batch -> {
                    writer.write(batch, 0, batch.getRowCount());
                    Float4Vector cells = (Float4Vector) ((FixedSizeListVector) batch.getVector(0)).getDataVector();
                    for (int i = 0; i < batch.getRowCount() * 6; i++) {
                        want.add(Float.floatToRawIntBits(cells.get(i)));
                    }
                });
                assertEquals(n, writer.finish().rows());
            }
            assertEquals(table.schema().getFields().getFirst().getMetadata(),
                    FragmentReader.readSchema(fragment).getFields().getFirst().getMetadata());
            List<Integer> got = new ArrayList<>();
            FragmentReader.read(fragment, allocator, 64, batch -> {
                Float4Vector cells = (Float4Vector) ((FixedSizeListVector) batch.getVector(0)).getDataVector();
                for (int i = 0; i < batch.getRowCount() * 6; i++) {
                    got.add(Float.floatToRawIntBits(cells.get(i)));
                }
            });
            assertEquals(want, got);
            assertEquals(0x7fc00000, want.getFirst(), "sample 0 item 0 is the NaN written first");
            assertTrue(want.contains(0x7fc00123), "a NaN payload is kept through the import");
        }
    }
}
