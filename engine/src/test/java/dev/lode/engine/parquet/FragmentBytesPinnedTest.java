package dev.lode.engine.parquet;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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

    /**
     * Distinct columns skip the dictionary attempt; Parquet would have fallen back to plain for them anyway, so the
     * bytes are the same: increasing, decreasing and all-null columns, over several pages (more than 20,000 rows).
     */
    @Test
    void namingDistinctColumnsChangesNoByte() throws IOException {
        try (BufferAllocator allocator = new RootAllocator()) {
            BigIntVector up = new BigIntVector("up", allocator);
            IntVector down = new IntVector("down", allocator);
            BigIntVector empty = new BigIntVector("empty", allocator);
            BigIntVector repeats = new BigIntVector("repeats", allocator);
            try (VectorSchemaRoot data = VectorSchemaRoot.of(up, down, empty, repeats)) {
                int rows = 50_000;
                up.allocateNew(rows);
                down.allocateNew(rows);
                empty.allocateNew(rows);
                repeats.allocateNew(rows);
                for (int r = 0; r < rows; r++) {
                    if (r % 13 == 0) {
                        up.setNull(r);
                    } else {
                        up.setSafe(r, 1_000_000_007L * r);
                    }
                    down.setSafe(r, -3 * r);
                    empty.setNull(r);
                    repeats.setSafe(r, r % 10);
                }
                data.setRowCount(rows);
                Path plain = directory.resolve("plain.parquet");
                Path hinted = directory.resolve("hinted.parquet");
                try (FragmentWriter writer = FragmentWriter.create(data.getSchema(), plain)) {
                    writer.write(data, 0, rows);
                    writer.finish();
                }
                try (FragmentWriter writer = FragmentWriter.create(data.getSchema(), hinted,
                        Set.of("up", "down", "empty"))) {
                    writer.write(data, 0, rows);
                    writer.finish();
                }
                assertArrayEquals(Files.readAllBytes(plain), Files.readAllBytes(hinted));
                // The names do reach the writer: a column with repeats written without a dictionary differs.
                Path wrong = directory.resolve("wrong.parquet");
                try (FragmentWriter writer = FragmentWriter.create(data.getSchema(), wrong, Set.of("repeats"))) {
                    writer.write(data, 0, rows);
                    writer.finish();
                }
                assertFalse(Arrays.equals(Files.readAllBytes(plain), Files.readAllBytes(wrong)));
            }
        }
    }

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
