package dev.lode.engine.parquet;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Pins the bytes {@link FragmentWriter} writes for fixed data of every supported type: content-addressed fragments
 * must not change by accident (a faster writer must write the same file). A deliberate change of writer settings
 * updates the hash here, docs/FORMAT.md and the fragmenting version together.
 */
class FragmentBytesPinnedTest {
    private static final long SEED = 20261123L;
    private static final String EXPECTED = "88028b38086d6334f2b861d7aa7867750db2f08ed425220e406e95ead7435081";

    @TempDir
    Path directory;

    @Test
    void fragmentBytesAreUnchanged() throws IOException, NoSuchAlgorithmException {
        try (BufferAllocator allocator = new RootAllocator();
             VectorSchemaRoot data = TestData.rows(allocator, 30_000, SEED)) {
            Path file = directory.resolve("pinned.parquet");
            try (FragmentWriter writer = FragmentWriter.create(data.getSchema(), file)) {
                writer.write(data, 0, 12_345);
                writer.write(data, 12_345, data.getRowCount() - 12_345);
                writer.finish();
            }
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
            assertEquals(EXPECTED, HexFormat.of().formatHex(hash), "seed " + SEED + ", " + Files.size(file) + " bytes");
        }
    }
}
