package dev.lode.engine;

import dev.lode.engine.importer.ImportContext;
import dev.lode.engine.importer.ImportOptions;
import dev.lode.engine.importer.ImportTable;
import dev.lode.engine.importer.Importer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The contract every fuzz target checks (docs/SECURITY.md, "Fuzzing"): on any input, a parser returns or throws
 * {@link LodeException} (which includes {@code ImportException} and {@code CorruptObjectException}). Anything else
 * that escapes, such as an IndexOutOfBoundsException, a NullPointerException, a NumberFormatException, an
 * IOException from a parser, an OutOfMemoryError or a leaked Arrow buffer, is a finding. Hangs are caught by the
 * {@code @Timeout} on each target, which Jazzer turns into libFuzzer's per-input {@code -timeout}.
 */
public final class Fuzzing {
    /** The per-input time limit of every target, in seconds. */
    public static final int TIMEOUT_SECONDS = 10;
    /** Arrow memory one input may use; an importer must refuse, not allocate, what a hostile header asks for. */
    private static final long ALLOCATOR_LIMIT = 256L << 20;
    private static final Path FOLDER = createFolder();

    private Fuzzing() {
    }

    /** Code under test that may throw anything. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    /** Runs the action; a {@link LodeException} is the documented answer to bad input, anything else escapes. */
    public static void expectOnlyLodeExceptions(Action action) throws Exception {
        try {
            action.run();
        } catch (LodeException documented) {
            requireMessage(documented);
        }
    }

    /** A documented exception must explain itself: a message is the whole point of it. */
    public static void requireMessage(Throwable documented) {
        if (documented.getMessage() == null || documented.getMessage().isBlank()) {
            throw new AssertionError("A " + documented.getClass().getName() + " without a message", documented);
        }
    }

    /**
     * Writes the bytes to a file called {@code fileName}, imports it with the importer (schema and every batch) and
     * checks the contract; also checks that no Arrow memory is left allocated, whatever the outcome.
     */
    public static void importBytes(Importer importer, String fileName, byte[] bytes, ImportOptions options)
            throws Exception {
        Path file = FOLDER.resolve(fileName);
        Files.write(file, bytes);
        try (BufferAllocator allocator = new RootAllocator(ALLOCATOR_LIMIT)) {
            expectOnlyLodeExceptions(() -> {
                try (ImportTable table = importer.open(List.of(file), options,
                        new ImportContext(allocator, 1, read -> { }))) {
                    table.schema();
                    table.read(batch -> batch.getRowCount());
                }
            });
            // RootAllocator.close throws IllegalStateException naming the leak if a buffer is still allocated.
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static Path createFolder() {
        try {
            Path folder = Files.createTempDirectory("lode-fuzz-");
            folder.toFile().deleteOnExit();
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
