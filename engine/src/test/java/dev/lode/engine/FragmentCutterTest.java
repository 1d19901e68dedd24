package dev.lode.engine;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fragments written on a pool are the fragments written inline, and a failure leaves no rows or files behind. */
class FragmentCutterTest {
    private static final int[] BATCH_ROWS = {700, 1, 2048, 333, 5000, 1024, 900};

    @TempDir
    Path folder;

    private static VectorSchemaRoot batch(BufferAllocator allocator, long first, int rows) {
        BigIntVector id = new BigIntVector("id", allocator);
        VarCharVector name = new VarCharVector("name", allocator);
        VectorSchemaRoot root = VectorSchemaRoot.of(id, name);
        root.allocateNew();
        for (int r = 0; r < rows; r++) {
            id.setSafe(r, first + r);
            if ((first + r) % 7 != 0) {
                name.setSafe(r, ("name " + (first + r) % 1000).getBytes(StandardCharsets.UTF_8));
            }
        }
        root.setRowCount(rows);
        return root;
    }

    private List<FragmentEntry> cut(Repository repository, int threads) throws IOException {
        try (BufferAllocator allocator = new RootAllocator()) {
            Schema schema;
            try (VectorSchemaRoot probe = batch(allocator, 0, 0)) {
                schema = probe.getSchema();
            }
            try (FragmentCutter cutter = new FragmentCutter(repository.objects(), schema, 1024, new long[2], threads)) {
                long first = 0;
                for (int rows : BATCH_ROWS) {
                    try (VectorSchemaRoot batch = batch(allocator, first, rows)) {
                        cutter.accept(batch);
                    }
                    first += rows;
                }
                return cutter.finish();
            }
        }
    }

    @Test
    void anyThreadCountGivesTheSameFragmentsInRowOrder() throws IOException {
        try (Repository repository = Repository.init(folder.resolve("r"))) {
            List<FragmentEntry> inline = cut(repository, 1);
            assertEquals(10, inline.size(), "10,006 rows at 1,024 per fragment");
            assertEquals(10_006 - 9 * 1024, inline.getLast().rows());
            assertEquals(inline, cut(repository, 2));
            assertEquals(inline, cut(repository, 4));
        }
    }

    @Test
    void aFailedFragmentIsReportedAndEverythingIsReleased() throws IOException {
        try (Repository repository = Repository.init(folder.resolve("r"));
             BufferAllocator allocator = new RootAllocator()) {
            Schema schema;
            try (VectorSchemaRoot probe = batch(allocator, 0, 0)) {
                schema = probe.getSchema();
            }
            LodeException e = assertThrows(LodeException.class, () -> {
                try (FragmentCutter cutter = new FragmentCutter(repository.objects(), schema, 1024, new long[2], 2)) {
                    for (int i = 0; i < 3; i++) {
                        try (VectorSchemaRoot good = batch(allocator, i * 1500L, 1500)) {
                            cutter.accept(good);
                        }
                    }
                    // A batch that does not match the schema fails on a pool thread while fragments are in flight.
                    try (VectorSchemaRoot bad = VectorSchemaRoot.of(new IntVector("id", allocator))) {
                        bad.allocateNew();
                        bad.setRowCount(2000);
                        cutter.accept(bad);
                    }
                    cutter.finish();
                }
            });
            assertTrue(e.getMessage().contains("does not match fragment schema"), e.getMessage());
            assertEquals(0, allocator.getAllocatedMemory(), "every transferred batch is freed");
            try (Stream<Path> left = Files.list(folder.resolve("r/.lode/tmp"))) {
                assertEquals(List.of(), left.toList(), "no temporary fragment files are left");
            }
        }
    }
}
