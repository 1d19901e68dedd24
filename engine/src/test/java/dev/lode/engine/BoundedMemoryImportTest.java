package dev.lode.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Memory stays bounded: a CSV more than three times the heap imports in a child JVM started with -Xmx64m, and the
 * whole process never holds as much resident memory as the file has bytes.
 */
class BoundedMemoryImportTest {
    private static final int HEAP_MIB = 64;

    @TempDir
    Path folder;

    /** About {@code targetBytes} of mixed int, float, string and date columns; returns the row count. */
    private static long writeCsv(Path file, long targetBytes) throws IOException {
        SplittableRandom random = new SplittableRandom(20261123);
        long rows = 0;
        long written = 0;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            byte[] header = "id,count,score,label,day\n".getBytes(StandardCharsets.US_ASCII);
            out.write(header);
            written += header.length;
            StringBuilder line = new StringBuilder(64);
            while (written < targetBytes) {
                line.setLength(0);
                line.append(rows).append(',').append(random.nextInt(1_000_000)).append(',')
                        .append(random.nextInt(100_000) / 1000.0).append(",label_").append(random.nextInt(500))
                        .append(",2026-0").append(1 + random.nextInt(9)).append('-').append(10 + random.nextInt(18))
                        .append('\n');
                byte[] bytes = line.toString().getBytes(StandardCharsets.US_ASCII);
                out.write(bytes);
                written += bytes.length;
                rows++;
            }
        }
        return rows;
    }

    @Test
    void aCsvThreeTimesTheHeapImportsInAChildJvmWith64MiB() throws Exception {
        Path csv = folder.resolve("big.csv");
        long rows = writeCsv(csv, 200L << 20);
        long size = Files.size(csv);
        Path repo = folder.resolve("repo");
        Repository.init(repo).close();
        Path output = folder.resolve("worker.out");
        Process process = JavaProcesses.builder(List.of("-Xmx" + HEAP_MIB + "m"), BoundedImportWorker.class,
                List.of(repo.toString(), "big", csv.toString())).redirectOutput(output.toFile()).start();
        boolean finished = process.waitFor(120, TimeUnit.SECONDS);
        if (!finished) {
            process.destroyForcibly().waitFor();
        }
        String printed = Files.readString(output);
        System.out.println("BoundedMemoryImportTest: " + size + " bytes, " + rows + " rows: " + printed.trim());
        assertTrue(finished, "the import finished: " + printed);
        assertEquals(0, process.exitValue(), printed);
        Matcher matcher = Pattern.compile("rows=(\\d+) maxHeap=(\\d+) peakResidentKiB=(\\d+)").matcher(printed);
        assertTrue(matcher.find(), printed);
        assertEquals(rows, Long.parseLong(matcher.group(1)));
        long maxHeap = Long.parseLong(matcher.group(2));
        assertTrue(maxHeap <= HEAP_MIB << 20, "heap limit " + maxHeap);
        assertTrue(size >= 3 * maxHeap, size + " bytes of CSV, at least three times the heap " + maxHeap);
        // Arrow's buffers live off the heap, so -Xmx alone would not catch a whole file held in them.
        long peakResident = Long.parseLong(matcher.group(3)) << 10;
        assertTrue(peakResident < size, "peak resident memory " + peakResident + " below the file's " + size
                + " bytes, JVM and RocksDB included");
        try (Repository repository = Repository.open(repo)) {
            assertTrue(repository.verify().ok());
        }
    }
}
