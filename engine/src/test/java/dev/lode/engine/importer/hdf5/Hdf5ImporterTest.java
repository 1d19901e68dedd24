package dev.lode.engine.importer.hdf5;

import dev.lode.engine.importer.ImportContext;
import dev.lode.engine.importer.ImportException;
import dev.lode.engine.importer.ImportOptions;
import dev.lode.engine.importer.ImportTable;
import dev.lode.engine.parquet.FragmentReader;
import dev.lode.engine.parquet.FragmentWriter;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableDataset;
import io.jhdf.api.WritableGroup;
import io.jhdf.checksum.ChecksumUtils;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Hdf5ImporterTest {
    @TempDir
    Path directory;

    record Imported(Schema schema, List<List<String>> rows, int batches) {
        List<String> column(int index) {
            return rows.stream().map(row -> row.get(index)).toList();
        }
    }

    private Path hdf5(String name, Consumer<WritableHdfFile> content) {
        Path file = directory.resolve(name);
        try (WritableHdfFile writer = HdfFile.write(file)) {
            content.accept(writer);
        }
        return file;
    }

    static Imported load(Path file, ImportOptions options) throws IOException {
        List<List<String>> rows = new ArrayList<>();
        int[] batches = {0};
        try (BufferAllocator allocator = new RootAllocator();
             ImportTable table = new Hdf5Importer().open(List.of(file), options,
                     new ImportContext(allocator, 1, bytes -> { }))) {
            table.read(batch -> {
                batches[0]++;
                for (int r = 0; r < batch.getRowCount(); r++) {
                    List<String> row = new ArrayList<>();
                    for (FieldVector vector : batch.getFieldVectors()) {
                        row.add(String.valueOf(vector.getObject(r)));
                    }
                    rows.add(row);
                }
            });
            return new Imported(table.schema(), rows, batches[0]);
        }
    }

    static Imported load(Path file) throws IOException {
        return load(file, ImportOptions.none());
    }

    @Test
    void readsEveryWritableTypeAsColumnsSortedByName() throws IOException {
        Path file = hdf5("types.h5", writer -> {
            writer.putDataset("f8", new double[] {1e300, -2.5, Double.NEGATIVE_INFINITY});
            writer.putDataset("f4", new float[] {1.5f, -0.0f, Float.NaN});
            writer.putDataset("i1", new byte[] {0, -1, 127});
            writer.putDataset("i2", new short[] {0, -1, Short.MIN_VALUE});
            writer.putDataset("i4", new int[] {0, -1, Integer.MAX_VALUE});
            writer.putDataset("i8", new long[] {0, -1, Long.MIN_VALUE});
            writer.putDataset("flag", new boolean[] {true, false, true});
            writer.putDataset("name", new String[] {"ab", "", "héllo"});
        });
        Imported imported = load(file);
        List<String> names = imported.schema().getFields().stream().map(Field::getName).toList();
        assertEquals(List.of("f4", "f8", "flag", "i1", "i2", "i4", "i8", "name"), names);
        List<ArrowType> types = imported.schema().getFields().stream().map(Field::getType).toList();
        assertEquals(List.of(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE),
                new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE), ArrowType.Bool.INSTANCE,
                new ArrowType.Int(8, true), new ArrowType.Int(16, true), new ArrowType.Int(32, true),
                new ArrowType.Int(64, true), ArrowType.Utf8.INSTANCE), types);
        assertEquals(List.of("1.5", "1.0E300", "true", "0", "0", "0", "0", "ab"), imported.rows().get(0));
        assertEquals(List.of("-0.0", "-2.5", "false", "-1", "-1", "-1", "-1", ""), imported.rows().get(1));
        assertEquals(List.of("NaN", "-Infinity", "true", "127", "-32768", String.valueOf(Integer.MAX_VALUE),
                String.valueOf(Long.MIN_VALUE), "héllo"), imported.rows().get(2));
        assertTrue(imported.schema().getFields().stream().noneMatch(Field::isNullable));
    }

    @Test
    void trailingAxesBecomeTensorColumnsInCOrder() throws IOException {
        float[][][] images = new float[4][2][3];
        for (int s = 0; s < 4; s++) {
            for (int r = 0; r < 2; r++) {
                for (int c = 0; c < 3; c++) {
                    images[s][r][c] = s * 100 + r * 10 + c;
                }
            }
        }
        Path file = hdf5("tensor.h5", writer -> {
            writer.putDataset("images", images);
            writer.putDataset("label", new int[] {7, 8, 9, 10});
        });
        Imported imported = load(file);
        Field field = imported.schema().getFields().getFirst();
        assertEquals(new ArrowType.FixedSizeList(6), field.getType());
        assertEquals(Map.of("ARROW:extension:name", "arrow.fixed_shape_tensor",
                "ARROW:extension:metadata", "{\"shape\":[2,3]}"), field.getMetadata());
        assertEquals(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE), field.getChildren().getFirst().getType());
        assertEquals("[100.0,101.0,102.0,110.0,111.0,112.0]", imported.rows().get(1).get(0));
        assertEquals(List.of("7", "8", "9", "10"), imported.column(1));
    }

    @Test
    void readsManySamplesInBatches() throws IOException {
        int n = 20_000;
        long[] values = new long[n];
        double[][] pairs = new double[n][2];
        for (int i = 0; i < n; i++) {
            values[i] = i * 3L;
            pairs[i][0] = i;
            pairs[i][1] = -i;
        }
        Path file = hdf5("big.h5", writer -> {
            writer.putDataset("a", values);
            writer.putDataset("b", pairs);
        });
        Imported imported = load(file);
        assertEquals(n, imported.rows().size());
        assertTrue(imported.batches() > 1, "batches: " + imported.batches());
        assertEquals(List.of("59997", "[19999.0,-19999.0]"), imported.rows().get(n - 1));
        assertEquals(List.of("24576", "[8192.0,-8192.0]"), imported.rows().get(8192));
    }

    @Test
    void attributesBecomeMetadataAndThePathOptionPicksTheGroup() throws IOException {
        Path file = hdf5("attrs.h5", writer -> {
            writer.putDataset("ignored", new int[] {1, 2, 3});
            WritableGroup train = writer.putGroup("train");
            train.putAttribute("source", "camera 2");
            train.putAttribute("version", 3);
            train.putAttribute("scale", new double[] {0.5, 2});
            WritableDataset x = train.putDataset("x", new float[][] {{1, 2}, {3, 4}});
            x.putAttribute("unit", "m");
            train.putDataset("y", new byte[] {0, 1});
            train.putGroup("nested").putDataset("z", new int[] {1, 2, 3, 4, 5});
        });
        Imported imported = load(file, ImportOptions.of(Map.of("hdf5-path", "/train")));
        assertEquals(List.of("x", "y"), imported.schema().getFields().stream().map(Field::getName).toList());
        assertEquals(Map.of("hdf5:scale", "[0.5, 2.0]", "hdf5:source", "camera 2", "hdf5:version", "3"),
                imported.schema().getCustomMetadata());
        assertEquals("m", imported.schema().getFields().getFirst().getMetadata().get("hdf5:unit"));
        assertEquals("{\"shape\":[2]}", imported.schema().getFields().getFirst().getMetadata()
                .get("ARROW:extension:metadata"));
        assertEquals(List.of(List.of("[1.0,2.0]", "0"), List.of("[3.0,4.0]", "1")), imported.rows());

        ImportException missing = assertThrows(ImportException.class,
                () -> load(file, ImportOptions.of(Map.of("hdf5-path", "/test"))));
        assertTrue(missing.getMessage().contains("group /test"), missing.getMessage());
        ImportException notGroup = assertThrows(ImportException.class,
                () -> load(file, ImportOptions.of(Map.of("hdf5-path", "/train/x"))));
        assertTrue(notGroup.getMessage().contains("not a group"), notGroup.getMessage());
    }

    @Test
    void datasetsWithDifferentFirstDimensionsAreAnError() {
        Path file = hdf5("mismatch.h5", writer -> {
            writer.putDataset("a", new int[] {1, 2, 3});
            writer.putDataset("b", new float[][] {{1, 2}, {3, 4}});
        });
        ImportException e = assertThrows(ImportException.class, () -> load(file));
        assertEquals("Cannot import " + file + ": group /: datasets a (shape (3,)) and b (shape (2, 2)) differ in"
                + " their first dimension", e.getMessage());
    }

    @Test
    void scalarDatasetsHaveNoSampleAxis() {
        Path file = hdf5("scalar.h5", writer -> writer.putDataset("answer", 42));
        ImportException e = assertThrows(ImportException.class, () -> load(file));
        assertTrue(e.getMessage().endsWith("dataset /answer: a scalar dataset has no sample axis"), e.getMessage());
    }

    @Test
    void unsupportedTypesAreNamed() throws IOException {
        Path file = hdf5("time.h5", writer -> {
            writer.putDataset("ok", new int[] {1, 2});
            writer.putDataset("when", new float[] {1, 2});
        });
        // jhdf writes only supported types; turn the float32 datatype into an HDF5 time datatype (class 2)
        Files.write(file, Hdf5Fixtures.retypeFloats(Files.readAllBytes(file), 2));
        ImportException e = assertThrows(ImportException.class, () -> load(file));
        assertTrue(e.getMessage().contains("dataset /when: unsupported HDF5 type time in dataset /when"),
                e.getMessage());
    }

    @Test
    void truncatedAndCorruptFilesAreImportErrors() throws IOException {
        float[] values = new float[5000];
        Arrays.fill(values, 1.5f);
        Path file = hdf5("whole.h5", writer -> writer.putDataset("x", values));
        byte[] bytes = Files.readAllBytes(file);
        for (int length : new int[] {0, 8, 40, 100, bytes.length / 2, bytes.length - 10}) {
            Path truncated = Files.write(directory.resolve("cut" + length + ".h5"), Arrays.copyOf(bytes, length));
            ImportException e = assertThrows(ImportException.class, () -> load(truncated), "length " + length);
            assertTrue(e.getMessage().startsWith("Cannot import " + truncated), e.getMessage());
        }
        byte[] garbage = bytes.clone();
        for (int i = 48; i < Math.min(garbage.length, 600); i++) {
            garbage[i] = (byte) (i * 31);
        }
        Path corrupt = Files.write(directory.resolve("corrupt.h5"), garbage);
        ImportException e = assertThrows(ImportException.class, () -> load(corrupt));
        assertTrue(e.getMessage().startsWith("Cannot import " + corrupt), e.getMessage());
        Path absent = directory.resolve("absent.h5");
        assertEquals("Cannot import " + absent + ": the file does not exist",
                assertThrows(ImportException.class, () -> load(absent)).getMessage());
    }

    @Test
    void detectsTheSignatureAfterAUserBlockButLeavesMatlabFilesAlone() {
        Hdf5Importer importer = new Hdf5Importer();
        byte[] plain = Arrays.copyOf(Hdf5Importer.SIGNATURE, 64);
        assertTrue(importer.detects(Path.of("x.bin"), plain));
        byte[] userBlock = new byte[1024];
        System.arraycopy(Hdf5Importer.SIGNATURE, 0, userBlock, 512, 8);
        assertTrue(importer.detects(Path.of("x.bin"), userBlock));
        byte[] matlab = userBlock.clone();
        byte[] header = "MATLAB 7.3 MAT-file, Platform: GLNXA64".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(header, 0, matlab, 0, header.length);
        assertFalse(importer.detects(Path.of("x.mat"), matlab));
        assertFalse(importer.detects(Path.of("x.h5"), new byte[] {1, 2, 3}));
    }

    @Test
    void readsAFileWithAUserBlock() throws IOException {
        Path file = hdf5("plain.h5", writer -> writer.putDataset("x", new int[] {4, 5}));
        Path shifted = Files.write(directory.resolve("shifted.h5"),
                Hdf5Fixtures.withUserBlock(Files.readAllBytes(file), "any header"));
        assertEquals(List.of("4", "5"), load(shifted).column(0));
    }

    @Test
    void roundTripsThroughAParquetFragment() throws IOException {
        int n = 300;
        short[][] pixels = new short[n][4];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 4; j++) {
                pixels[i][j] = (short) (i * 4 + j);
            }
        }
        Path file = hdf5("roundtrip.h5", writer -> {
            WritableDataset dataset = writer.putDataset("pixels", pixels);
            dataset.putAttribute("note", "raw");
            writer.putDataset("id", java.util.stream.LongStream.range(0, n).toArray());
        });
        Path fragment = directory.resolve("fragment.parquet");
        List<String> want = new ArrayList<>();
        try (BufferAllocator allocator = new RootAllocator();
             ImportTable table = new Hdf5Importer().open(List.of(file), ImportOptions.none(),
                     new ImportContext(allocator, 1, bytes -> { }))) {
            try (FragmentWriter writer = FragmentWriter.create(table.schema(), fragment)) {
                table.read(batch -> {
                    writer.write(batch, 0, batch.getRowCount());
                    for (int r = 0; r < batch.getRowCount(); r++) {
                        want.add(batch.getVector(0).getObject(r) + " " + batch.getVector(1).getObject(r));
                    }
                });
                assertEquals(n, writer.finish().rows());
            }
            Schema read = FragmentReader.readSchema(fragment);
            assertEquals(table.schema().getFields().get(1).getMetadata(), read.getFields().get(1).getMetadata());
            List<String> got = new ArrayList<>();
            FragmentReader.read(fragment, allocator, 64, batch -> {
                for (int r = 0; r < batch.getRowCount(); r++) {
                    got.add(batch.getVector(0).getObject(r) + " " + batch.getVector(1).getObject(r));
                }
            });
            assertEquals(want, got);
            assertEquals("299 [1196,1197,1198,1199]", got.getLast());
        }
    }
}
