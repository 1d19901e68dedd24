package dev.lode.engine;

import java.nio.file.Path;
import java.util.List;

/** Run as a separate OS process by {@link ImportTest}: imports one file, to be killed at some point. */
public final class ImportWorker {
    private ImportWorker() {
    }

    public static void main(String[] args) throws Exception {
        try (Repository repository = Repository.open(Path.of(args[0]))) {
            repository.importFiles(ImportRequest.of(args[1], List.of(Path.of(args[2]))).withThreads(2));
        }
        System.out.println("imported");
    }
}
