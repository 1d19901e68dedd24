package dev.lode.engine.parquet;

import dev.lode.engine.Fuzzing;
import dev.lode.engine.importer.ImportContext;
import dev.lode.engine.importer.ImportOptions;
import dev.lode.engine.importer.ImportTable;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Every single-byte corruption of a small Arrow IPC file and stream either imports or fails with a LodeException, and
 * leaves no Arrow memory allocated (the fuzz contract, checked exhaustively instead of by chance). Arrow's own readers
 * leaked the message body whenever a batch's metadata failed to parse; see {@link ArrowIpcReaders}.
 */
class ArrowIpcCorruptionTest {
    /** Values written over each byte: zero, all ones, and a small length that moves offsets. */
    private static final byte[] REPLACEMENTS = {0x00, (byte) 0xFF, 0x64};

    @Test
    void everySingleByteCorruptionOfAFileFailsCleanly() throws Exception {
        corruptEveryByte("file-all-types-3-rows");
    }

    @Test
    void everySingleByteCorruptionOfAStreamFailsCleanly() throws Exception {
        corruptEveryByte("stream-all-types-3-rows");
    }

    private static void corruptEveryByte(String seed) throws Exception {
        byte[] original = seed(seed);
        assertEquals(3, rows(original), seed + " is a valid input and imports");
        for (int position = 0; position < original.length; position++) {
            for (byte replacement : REPLACEMENTS) {
                if (original[position] == replacement) {
                    continue;
                }
                byte[] corrupt = original.clone();
                corrupt[position] = replacement;
                try {
                    Fuzzing.importBytes(new ArrowIpcImporter(), "corrupt.arrow", corrupt, ImportOptions.none());
                } catch (Exception | AssertionError e) {
                    throw new AssertionError(seed + " with byte " + position + " set to "
                            + String.format("0x%02x", replacement) + ": " + e, e);
                }
            }
        }
    }

    private static long rows(byte[] bytes) throws IOException {
        Path file = Files.write(Files.createTempFile("lode-arrow-", ".arrow"), bytes);
        try (BufferAllocator allocator = new RootAllocator();
             ImportTable table = new ArrowIpcImporter().open(List.of(file), ImportOptions.none(),
                     new ImportContext(allocator, 1, read -> { }))) {
            long[] rows = {0};
            table.read(batch -> rows[0] += batch.getRowCount());
            return rows[0];
        } finally {
            Files.delete(file);
        }
    }

    private static byte[] seed(String name) {
        String resource = "ArrowIpcFuzzTestInputs/arrowImport/" + name;
        try (InputStream in = ArrowIpcCorruptionTest.class.getResourceAsStream(resource)) {
            assertNotNull(in, resource);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
