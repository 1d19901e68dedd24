package dev.lode.engine.importer.csv;

import dev.lode.engine.importer.ImportContext;
import dev.lode.engine.importer.ImportOptions;
import dev.lode.engine.importer.ImportTable;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A rough timing, not an assertion: run with -Dlode.csv.benchmark=true. */
@EnabledIfSystemProperty(named = "lode.csv.benchmark", matches = "true")
class CsvThroughputTest {
    @TempDir
    Path directory;

    @Test
    void measure() throws IOException {
        Path file = directory.resolve("big.csv");
        CsvRoundTripTest.generate(file, 42, 1_050_000);
        long size = Files.size(file);
        for (int round = 0; round < 2; round++) {
            for (int threads : new int[] {1, 2}) {
                long start = System.nanoTime();
                long[] rows = {0};
                try (BufferAllocator allocator = new RootAllocator();
                     ImportTable table = new CsvImporter().open(List.of(file), ImportOptions.none(),
                             new ImportContext(allocator, threads, bytes -> { }))) {
                    table.read(batch -> rows[0] += batch.getRowCount());
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("CSV %d MB, %d rows, threads %d: %.2f s, %.0f MB/s (both passes)%n",
                        size >> 20, rows[0], threads, seconds, size / 1e6 / seconds);
            }
        }
    }
}
