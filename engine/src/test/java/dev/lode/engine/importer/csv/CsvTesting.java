package dev.lode.engine.importer.csv;

import dev.lode.engine.importer.ImportContext;
import dev.lode.engine.importer.ImportOptions;
import dev.lode.engine.importer.ImportTable;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.Text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Imports files into plain Java values for comparison; floats become their raw bits so -0.0 and NaN are exact. */
final class CsvTesting {
    private CsvTesting() {
    }

    record Imported(Schema schema, List<List<Object>> rows, long bytesRead, int batches) {
        List<Object> column(int index) {
            return rows.stream().map(row -> row.get(index)).toList();
        }
    }

    /** A float's raw bits, so that equality is bit for bit. */
    record Bits(long raw) {
        static Bits of(double value) {
            return new Bits(Double.doubleToRawLongBits(value));
        }
    }

    static Path write(Path directory, String name, String content) throws IOException {
        Path file = directory.resolve(name);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    static Imported load(Path file) throws IOException {
        return load(List.of(file), ImportOptions.none(), 2);
    }

    static Imported load(Path file, ImportOptions options) throws IOException {
        return load(List.of(file), options, 2);
    }

    static Imported load(List<Path> files, ImportOptions options, int threads) throws IOException {
        AtomicLong bytes = new AtomicLong();
        try (BufferAllocator allocator = new RootAllocator();
             ImportTable table = new CsvImporter().open(files, options,
                     new ImportContext(allocator, threads, bytes::addAndGet))) {
            List<List<Object>> rows = new ArrayList<>();
            int[] batches = {0};
            table.read(batch -> {
                batches[0]++;
                rows.addAll(rowsOf(batch));
            });
            return new Imported(table.schema(), rows, bytes.get(), batches[0]);
        }
    }

    static List<List<Object>> rowsOf(VectorSchemaRoot batch) {
        List<List<Object>> rows = new ArrayList<>();
        for (int row = 0; row < batch.getRowCount(); row++) {
            List<Object> values = new ArrayList<>();
            for (FieldVector vector : batch.getFieldVectors()) {
                values.add(valueOf(vector, row));
            }
            rows.add(values);
        }
        return rows;
    }

    static Object valueOf(FieldVector vector, int row) {
        if (vector.isNull(row)) {
            return null;
        }
        if (vector instanceof Float8Vector floats) {
            return Bits.of(floats.get(row));
        }
        Object value = vector.getObject(row);
        return value instanceof Text text ? text.toString() : value;
    }
}
