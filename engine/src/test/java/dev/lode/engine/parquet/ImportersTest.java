package dev.lode.engine.parquet;

import dev.lode.engine.importer.ImportContext;
import dev.lode.engine.importer.ImportException;
import dev.lode.engine.importer.ImportOptions;
import dev.lode.engine.importer.ImportTable;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImportersTest {
    @TempDir
    Path directory;

    private final BufferAllocator allocator = new RootAllocator();

    @AfterEach
    void closeAllocator() {
        allocator.close();
    }

    private ImportContext context() {
        return new ImportContext(allocator, 1, bytes -> { });
    }

    private Path parquet(String name, int rows, long seed) throws IOException {
        Path file = directory.resolve(name);
        try (VectorSchemaRoot data = TestData.rows(allocator, rows, seed);
             FragmentWriter writer = FragmentWriter.create(data.getSchema(), file)) {
            writer.write(data, 0, rows);
            writer.finish();
        }
        return file;
    }

    private static long countRows(ImportTable table) throws IOException {
        AtomicLong rows = new AtomicLong();
        table.read(batch -> rows.addAndGet(batch.getRowCount()));
        return rows.get();
    }

    @Test
    void parquetImporterStreamsFilesInOrder() throws IOException {
        Path first = parquet("a.parquet", 100, 1);
        Path second = parquet("b.parquet", 70_000, 2);
        ParquetImporter importer = new ParquetImporter();
        assertTrue(importer.detects(first, Files.readAllBytes(first)));
        assertFalse(importer.detects(first, "ARROW1".getBytes()));
        try (ImportTable table = importer.open(List.of(first, second), ImportOptions.none(), context())) {
            assertEquals(TestData.allTypes(), table.schema());
            assertEquals(70_100, countRows(table));
        }
    }

    @Test
    void truncatedParquetIsAnImportException() throws IOException {
        Path file = parquet("t.parquet", 500, 3);
        byte[] bytes = Files.readAllBytes(file);
        Path truncated = directory.resolve("truncated.parquet");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        ImportException e = assertThrows(ImportException.class,
                () -> new ParquetImporter().open(List.of(truncated), ImportOptions.none(), context()));
        assertEquals(truncated, e.file());
        assertTrue(e.getMessage().startsWith("Cannot import " + truncated + ": footer (file is " + bytes.length / 2
                + " bytes): "), e.getMessage());
    }

    @Test
    void garbageInsideTheDataPagesIsAnImportException() throws IOException {
        Path file = parquet("g.parquet", 2000, 4);
        byte[] bytes = Files.readAllBytes(file);
        for (int i = 200; i < bytes.length / 2; i += 7) {
            bytes[i] = (byte) (bytes[i] * 31 + 17);
        }
        Path garbage = directory.resolve("garbage.parquet");
        Files.write(garbage, bytes);
        ImportException e = assertThrows(ImportException.class, () -> {
            try (ImportTable table = new ParquetImporter().open(List.of(garbage), ImportOptions.none(), context())) {
                countRows(table);
            }
        });
        assertTrue(e.getMessage().startsWith("Cannot import " + garbage + ": row group 0"), e.getMessage());
    }

    @Test
    void notParquetAtAllIsAnImportException() throws IOException {
        Path file = directory.resolve("text.parquet");
        Files.writeString(file, "PAR1 this is not really parquet, just text pretending PAR1");
        ImportException e = assertThrows(ImportException.class, () -> FragmentReader.readSchema(file));
        assertTrue(e.getMessage().startsWith("Cannot import " + file + ": footer"), e.getMessage());
    }

    @Test
    void differentSchemasNameTheFileAndTheDifference() throws IOException {
        Path first = parquet("a.parquet", 10, 1);
        Path other = directory.resolve("other.parquet");
        Schema schema = new Schema(List.of(TestData.field("i8", true, new ArrowType.Int(16, true))));
        try (VectorSchemaRoot data = VectorSchemaRoot.create(schema, allocator);
             FragmentWriter writer = FragmentWriter.create(schema, other)) {
            writer.finish();
        }
        ImportException e = assertThrows(ImportException.class,
                () -> new ParquetImporter().open(List.of(first, other), ImportOptions.none(), context()));
        assertEquals("Cannot import " + other + ": schema differs from " + first
                + ": field i8 has type Int(16, true), expected Int(8, true)", e.getMessage());
    }

    @Test
    void arrowFileAndStreamImportAndCorruptionIsReported() throws IOException {
        Path file = directory.resolve("data.arrow");
        Path stream = directory.resolve("data.arrows");
        try (VectorSchemaRoot data = TestData.rows(allocator, 300, 5)) {
            try (OutputStream out = Files.newOutputStream(file);
                 ArrowFileWriter writer = new ArrowFileWriter(data, null, Channels.newChannel(out))) {
                writer.start();
                writer.writeBatch();
                writer.writeBatch();
                writer.end();
            }
            try (OutputStream out = Files.newOutputStream(stream);
                 ArrowStreamWriter writer = new ArrowStreamWriter(data, null, Channels.newChannel(out))) {
                writer.start();
                writer.writeBatch();
                writer.end();
            }
        }
        ArrowIpcImporter importer = new ArrowIpcImporter();
        assertTrue(importer.detects(file, Files.readAllBytes(file)));
        assertTrue(importer.detects(stream, Files.readAllBytes(stream)));
        assertFalse(importer.detects(file, "PAR1xxxx".getBytes()));
        try (ImportTable table = importer.open(List.of(file, stream), ImportOptions.none(), context())) {
            assertEquals(TestData.allTypes(), table.schema());
            assertEquals(900, countRows(table));
        }
        byte[] bytes = Files.readAllBytes(stream);
        Path truncated = directory.resolve("truncated.arrows");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 1000));
        ImportException e = assertThrows(ImportException.class, () -> {
            try (ImportTable table = importer.open(List.of(truncated), ImportOptions.none(), context())) {
                countRows(table);
            }
        });
        assertTrue(e.getMessage().startsWith("Cannot import " + truncated + ": byte offset "), e.getMessage());
        Path cut = directory.resolve("cut.arrow");
        byte[] fileBytes = Files.readAllBytes(file);
        Files.write(cut, Arrays.copyOf(fileBytes, fileBytes.length / 2));
        ImportException fileError = assertThrows(ImportException.class,
                () -> importer.open(List.of(cut), ImportOptions.none(), context()));
        assertTrue(fileError.getMessage().startsWith("Cannot import " + cut + ": "), fileError.getMessage());
    }

    @Test
    void parquetAndArrowRejectUnknownOptionsByName() throws IOException {
        Path file = parquet("a.parquet", 10, 1);
        ImportOptions typo = ImportOptions.none().with("delimeter", ",");
        dev.lode.engine.LodeException parquetError = assertThrows(dev.lode.engine.LodeException.class,
                () -> new ParquetImporter().open(List.of(file), typo, context()));
        assertEquals("Unknown option 'delimeter' for format parquet; it takes no options", parquetError.getMessage());
        dev.lode.engine.LodeException arrowError = assertThrows(dev.lode.engine.LodeException.class,
                () -> new ArrowIpcImporter().open(List.of(file), typo, context()));
        assertEquals("Unknown option 'delimeter' for format arrow; it takes no options", arrowError.getMessage());
    }
}
