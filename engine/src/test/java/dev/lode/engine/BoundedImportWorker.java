package dev.lode.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Run as a separate OS process with a small heap by {@link BoundedMemoryImportTest}: imports one file and prints
 * its row count, the heap limit and the peak resident memory of the process.
 */
public final class BoundedImportWorker {
    private BoundedImportWorker() {
    }

    public static void main(String[] args) throws Exception {
        ImportResult result;
        try (Repository repository = Repository.open(Path.of(args[0]))) {
            result = repository.importFiles(ImportRequest.of(args[1], List.of(Path.of(args[2]))).withThreads(2));
        }
        String peak = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(line -> line.startsWith("VmHWM:")).findFirst().orElse("VmHWM: -1 kB")
                .replaceAll("\\D+", "");
        System.out.println("rows=" + result.manifest().rows() + " maxHeap=" + Runtime.getRuntime().maxMemory()
                + " peakResidentKiB=" + peak);
    }
}
