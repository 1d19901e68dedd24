package dev.lode.engine.importer.matlab;

import dev.lode.engine.importer.ImportContext;
import dev.lode.engine.importer.ImportException;
import dev.lode.engine.importer.ImportOptions;
import dev.lode.engine.importer.ImportTable;
import dev.lode.engine.importer.hdf5.Hdf5Fixtures;
import dev.lode.engine.parquet.FragmentReader;
import dev.lode.engine.parquet.FragmentWriter;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.types.Char;
import us.hebi.matlab.mat.types.MatFile;
import us.hebi.matlab.mat.types.MatlabType;
import us.hebi.matlab.mat.types.Matrix;
import us.hebi.matlab.mat.types.Struct;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MatImporterTest {
    @TempDir
    Path directory;

    record Imported(Schema schema, List<List<String>> rows) {
        List<String> names() {
            return schema.getFields().stream().map(Field::getName).toList();
        }

        List<String> column(int index) {
            return rows.stream().map(row -> row.get(index)).toList();
        }
    }

    private Path mat(String name, Map<String, us.hebi.matlab.mat.types.Array> variables) throws IOException {
        MatFile file = Mat5.newMatFile();
        for (var entry : variables.entrySet()) {
            file.addArray(entry.getKey(), entry.getValue());
        }
        Path path = directory.resolve(name);
        Mat5.writeToFile(file, path.toFile());
        return path;
    }

    static Imported load(Path file, String sampleAxis) throws IOException {
        ImportOptions options = sampleAxis == null ? ImportOptions.none()
                : ImportOptions.of(Map.of("sample-axis", sampleAxis));
        List<List<String>> rows = new ArrayList<>();
        try (BufferAllocator allocator = new RootAllocator();
             ImportTable table = new MatImporter().open(List.of(file), options,
                     new ImportContext(allocator, 1, bytes -> { }))) {
            table.read(batch -> {
                for (int r = 0; r < batch.getRowCount(); r++) {
                    List<String> row = new ArrayList<>();
                    for (FieldVector vector : batch.getFieldVectors()) {
                        row.add(String.valueOf(vector.getObject(r)));
                    }
                    rows.add(row);
                }
            });
            return new Imported(table.schema(), rows);
        }
    }

    static Imported load(Path file) throws IOException {
        return load(file, null);
    }

    private static Matrix matrix(int rows, int columns, double... rowMajor) {
        Matrix matrix = Mat5.newMatrix(rows, columns);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                matrix.setDouble(r, c, rowMajor[r * columns + c]);
            }
        }
        return matrix;
    }

    @Test
    void rowsOfAMatrixAreSamplesDespiteColumnMajorStorage() throws IOException {
        Path file = mat("a.mat", Map.of("a", matrix(3, 2, 1, 2, 3, 4, 5, 6)));
        Imported imported = load(file);
        assertEquals(List.of("[1.0,2.0]", "[3.0,4.0]", "[5.0,6.0]"), imported.column(0));
        Field field = imported.schema().getFields().getFirst();
        assertEquals(new ArrowType.FixedSizeList(2), field.getType());
        assertEquals(Map.of("ARROW:extension:name", "arrow.fixed_shape_tensor",
                "ARROW:extension:metadata", "{\"shape\":[2]}"), field.getMetadata());
        assertEquals(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE), field.getChildren().getFirst().getType());

        Imported columns = load(file, "last");
        assertEquals(List.of("[1.0,3.0,5.0]", "[2.0,4.0,6.0]"), columns.column(0));
    }

    @Test
    void sampleAxisLastCutsImageStacks() throws IOException {
        int[] dims = {2, 3, 4}; // 2x3 images, 4 of them
        Matrix stack = Mat5.newMatrix(dims, MatlabType.Single);
        for (int k = 0; k < 4; k++) {
            for (int r = 0; r < 2; r++) {
                for (int c = 0; c < 3; c++) {
                    stack.setFloat(new int[] {r, c, k}, k * 100 + r * 10 + c);
                }
            }
        }
        Path file = mat("stack.mat", Map.of("images", stack));
        Imported imported = load(file, "last");
        assertEquals(4, imported.rows().size());
        assertEquals("{\"shape\":[2,3]}", imported.schema().getFields().getFirst().getMetadata()
                .get("ARROW:extension:metadata"));
        assertEquals("[200.0,201.0,202.0,210.0,211.0,212.0]", imported.rows().get(2).getFirst());

        Imported first = load(file);
        assertEquals(2, first.rows().size());
        assertEquals("{\"shape\":[3,4]}", first.schema().getFields().getFirst().getMetadata()
                .get("ARROW:extension:metadata"));
        assertEquals("[10.0,110.0,210.0,310.0,11.0,111.0,211.0,311.0,12.0,112.0,212.0,312.0]",
                first.rows().get(1).getFirst());
    }

    @Test
    void vectorsAreScalarColumnsAndEveryNumericClassKeepsItsBits() throws IOException {
        Map<String, us.hebi.matlab.mat.types.Array> variables = new java.util.TreeMap<>();
        MatlabType[] types = {MatlabType.Int8, MatlabType.UInt8, MatlabType.Int16, MatlabType.UInt16,
                MatlabType.Int32, MatlabType.UInt32, MatlabType.Int64, MatlabType.UInt64, MatlabType.Single,
                MatlabType.Double};
        for (MatlabType type : types) {
            Matrix vector = Mat5.newMatrix(1, 3, type); // a row vector
            vector.setLong(0, 0);
            vector.setLong(1, 1);
            vector.setLong(2, 100);
            variables.put(type.toString(), vector);
        }
        Matrix column = Mat5.newMatrix(3, 1);
        column.setDouble(2, -2.5);
        variables.put("zcolumn", column);
        Imported imported = load(mat("types.mat", variables));
        assertEquals(List.of("double", "int16", "int32", "int64", "int8", "single", "uint16", "uint32", "uint64",
                "uint8", "zcolumn"), imported.names());
        assertEquals(new ArrowType.Int(8, false), imported.schema().getFields().get(9).getType());
        assertEquals(new ArrowType.Int(64, true), imported.schema().getFields().get(3).getType());
        assertEquals(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE),
                imported.schema().getFields().get(5).getType());
        // Arrow Java shows uint16 values as chars: 100 is 'd'
        assertEquals(List.of("100.0", "100", "100", "100", "100", "100.0", "d", "100", "100", "100", "-2.5"),
                imported.rows().get(2));
        assertEquals(3, imported.rows().size());
    }

    @Test
    void charArraysLogicalsAndStructs() throws IOException {
        Char names = Mat5.newChar(2, 3);
        String[] words = {"abc", "xyz"};
        for (int r = 0; r < 2; r++) {
            for (int c = 0; c < 3; c++) {
                names.setChar(r, c, words[r].charAt(c));
            }
        }
        Matrix flags = Mat5.newLogical(2, 1);
        flags.setBoolean(1, true);
        Struct meta = Mat5.newStruct();
        meta.set("id", matrix(2, 1, 7, 8));
        meta.set("xy", matrix(2, 2, 1, 2, 3, 4));
        Imported imported = load(mat("mixed.mat", Map.of("names", names, "flags", flags, "meta", meta)));
        assertEquals(List.of("flags", "meta.id", "meta.xy", "names"), imported.names());
        assertEquals(ArrowType.Bool.INSTANCE, imported.schema().getFields().getFirst().getType());
        assertEquals(ArrowType.Utf8.INSTANCE, imported.schema().getFields().get(3).getType());
        assertEquals(List.of("false", "7.0", "[1.0,2.0]", "abc"), imported.rows().get(0));
        assertEquals(List.of("true", "8.0", "[3.0,4.0]", "xyz"), imported.rows().get(1));

        Imported byColumn = load(mat("text.mat", Map.of("names", names)), "last");
        assertEquals(List.of("ax", "by", "cz"), byColumn.column(0));
    }

    @Test
    void differentSampleCountsAreAnError() throws IOException {
        Path file = mat("mismatch.mat", Map.of("a", matrix(3, 2, 1, 2, 3, 4, 5, 6), "b", matrix(2, 2, 1, 2, 3, 4)));
        ImportException e = assertThrows(ImportException.class, () -> load(file));
        assertEquals("Cannot import " + file + ": variables a (size 3x2, 3 samples) and b (size 2x2, 2 samples)"
                + " differ in their number of samples along the first axis", e.getMessage());
    }

    @Test
    void unsupportedClassesNameTheVariable() throws IOException {
        Path cell = mat("cell.mat", Map.of("c", Mat5.newCell(2, 1), "ok", matrix(2, 1, 1, 2)));
        ImportException e = assertThrows(ImportException.class, () -> load(cell));
        assertTrue(e.getMessage().contains("variable c: unsupported MATLAB class cell"), e.getMessage());

        Path complex = mat("complex.mat", Map.of("z", Mat5.newComplex(2, 2)));
        e = assertThrows(ImportException.class, () -> load(complex));
        assertTrue(e.getMessage().endsWith("variable z: complex arrays are not supported"), e.getMessage());

        Path structs = mat("structs.mat", Map.of("s", Mat5.newStruct(2, 1)));
        e = assertThrows(ImportException.class, () -> load(structs));
        assertTrue(e.getMessage().contains("variable s: struct arrays (size 2x1) are not supported"), e.getMessage());
    }

    @Test
    void truncatedAndCorruptFilesAreImportErrors() throws IOException {
        Matrix big = Mat5.newMatrix(500, 4);
        for (int i = 0; i < 2000; i++) {
            big.setDouble(i, i);
        }
        Path file = mat("whole.mat", Map.of("x", big));
        byte[] bytes = Files.readAllBytes(file);
        for (int length : new int[] {0, 20, 128, 140, bytes.length / 2, bytes.length - 1}) {
            Path cut = Files.write(directory.resolve("cut" + length + ".mat"), Arrays.copyOf(bytes, length));
            ImportException e = assertThrows(ImportException.class, () -> load(cut), "length " + length);
            assertTrue(e.getMessage().startsWith("Cannot import " + cut), e.getMessage());
        }
        byte[] garbage = bytes.clone();
        for (int i = 128; i < 200; i++) {
            garbage[i] = (byte) (i * 37);
        }
        Path corrupt = Files.write(directory.resolve("corrupt.mat"), garbage);
        ImportException e = assertThrows(ImportException.class, () -> load(corrupt));
        assertTrue(e.getMessage().startsWith("Cannot import " + corrupt), e.getMessage());
    }

    @Test
    void detectsBothHeaders() {
        MatImporter importer = new MatImporter();
        assertTrue(importer.detects(Path.of("x.bin"), "MATLAB 5.0 MAT-file, Platform".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(importer.detects(Path.of("x.bin"), "MATLAB 7.3 MAT-file, Platform".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(importer.detects(Path.of("x.MAT"), new byte[0]));
        assertFalse(importer.detects(Path.of("x.h5"), new byte[] {(byte) 0x89, 'H', 'D', 'F'}));
    }

    @Test
    void readsVersion73ThroughHdf5() throws IOException {
        Path plain = directory.resolve("plain.h5");
        try (WritableHdfFile writer = HdfFile.write(plain)) {
            // MATLAB [1 2; 3 4; 5 6] (3x2) is stored with HDF5 shape (2, 3), column by column
            writer.putDataset("a", new double[][] {{1, 3, 5}, {2, 4, 6}}).putAttribute("MATLAB_class", "double");
            writer.putDataset("flags", new byte[][] {{1, 0, 1}}).putAttribute("MATLAB_class", "logical");
            // char(['ab'; 'cd'; 'ef']) is 3x2, stored as uint16 with HDF5 shape (2, 3)
            writer.putDataset("names", new short[][] {{'a', 'c', 'e'}, {'b', 'd', 'f'}})
                    .putAttribute("MATLAB_class", "char");
            var struct = writer.putGroup("s");
            struct.putAttribute("MATLAB_class", "struct");
            struct.putDataset("id", new int[][] {{7, 8, 9}}).putAttribute("MATLAB_class", "int32");
        }
        Path file = Files.write(directory.resolve("v73.mat"), Hdf5Fixtures.withUserBlock(Files.readAllBytes(plain),
                "MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024 HDF5 schema 1.00 ."));
        Imported imported = load(file);
        assertEquals(List.of("a", "flags", "names", "s.id"), imported.names());
        assertEquals(List.of(List.of("[1.0,2.0]", "true", "ab", "7"), List.of("[3.0,4.0]", "false", "cd", "8"),
                List.of("[5.0,6.0]", "true", "ef", "9")), imported.rows());

        Path cellFile = directory.resolve("cell.h5");
        try (WritableHdfFile writer = HdfFile.write(cellFile)) {
            writer.putDataset("c", new long[] {1, 2}).putAttribute("MATLAB_class", "cell");
        }
        Path cell = Files.write(directory.resolve("cell.mat"), Hdf5Fixtures.withUserBlock(
                Files.readAllBytes(cellFile), "MATLAB 7.3 MAT-file"));
        ImportException e = assertThrows(ImportException.class, () -> load(cell));
        assertTrue(e.getMessage().contains("variable c: unsupported MATLAB class cell"), e.getMessage());
    }

    @Test
    void roundTripsThroughAParquetFragment() throws IOException {
        int n = 10_000;
        Matrix features = Mat5.newMatrix(n, 3, MatlabType.Int16);
        Matrix labels = Mat5.newMatrix(n, 1, MatlabType.UInt8);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 3; j++) {
                features.setShort(i, j, (short) (i * 3 + j));
            }
            labels.setByte(i, (byte) i);
        }
        Path file = mat("train.mat", Map.of("features", features, "labels", labels));
        Path fragment = directory.resolve("fragment.parquet");
        List<String> want = new ArrayList<>();
        try (BufferAllocator allocator = new RootAllocator();
             ImportTable table = new MatImporter().open(List.of(file), ImportOptions.none(),
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
            assertEquals(table.schema().getFields().getFirst().getMetadata(),
                    FragmentReader.readSchema(fragment).getFields().getFirst().getMetadata());
            List<String> got = new ArrayList<>();
            FragmentReader.read(fragment, allocator, 500, batch -> {
                for (int r = 0; r < batch.getRowCount(); r++) {
                    got.add(batch.getVector(0).getObject(r) + " " + batch.getVector(1).getObject(r));
                }
            });
            assertEquals(want, got);
            assertEquals("[29997,29998,29999] " + (9999 & 0xFF), got.getLast());
        }
    }
}
