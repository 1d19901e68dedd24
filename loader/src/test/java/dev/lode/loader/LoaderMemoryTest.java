package dev.lode.loader;

import dev.lode.engine.Repository;
import dev.lode.engine.Revision;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fifty epochs over a dataset of every column type (nulls, bool, strings, tensors; 8 fragments) show no growth
 * after the first epoch in any of the memory the loader uses:
 * <ul>
 *   <li>pinned slabs ({@link PinnedMemory#allocatedBytes()}): exactly K slabs, allocated once;</li>
 *   <li>decoded fragments ({@link Loader#cachedBytes()}): the same bytes, each fragment decoded once;</li>
 *   <li>Arrow ({@link Loader#arrowBytes()}): after epoch 0 (whose decodes hold Parquet reader vectors too), at
 *       most the K slabs' wrapped regions at any time; the allocator closes with nothing left;</li>
 *   <li>heap after a full GC, at the start of epochs 1, 10, 20, 30, 40 and 49: within {@link #HEAP_SLACK} of
 *       the first. A leak of one batch's sample array (800 bytes) per step would exceed it by the end.</li>
 * </ul>
 * Off-heap memory from {@code Arena} (decoded fragments, plain slabs) is not in the JVM's direct buffer pool, so
 * the loader's own counters above are the measure of it.
 */
class LoaderMemoryTest {
    private static final int ROWS = 2000;
    private static final int EPOCHS = 50;
    private static final int BATCH = 100;
    private static final int SLABS = 3;
    static final long HEAP_SLACK = 512 * 1024;

    @TempDir
    Path folder;

    @Test
    void fiftyEpochsUseNoMoreMemoryThanTheFirst() throws IOException {
        Random random = TestRandom.create("LoaderMemoryTest");
        try (Repository repository = Repository.init(folder.resolve("repo"));
             BufferAllocator allocator = new RootAllocator()) {
            try (VectorSchemaRoot ignored = ColumnValues.writeIpc(folder.resolve("types.arrows"),
                    ColumnValues.smallFragmentSchema(), ROWS, random, allocator)) {
                LoaderTestData.importFile(repository, "types", folder.resolve("types.arrows"));
            }
            MemoryMXBean heap = ManagementFactory.getMemoryMXBean();
            try (PinnedMemory memory = PinnedMemory.open(PinnedMemory.Mode.PLAIN, line -> { })) {
                long fragments = 8; // 2000 rows in fragments of 256
                long cacheAfterFirst = -1;
                long heapAfterFirst = -1;
                long heapLast = -1;
                long maxArrow = 0;
                try (Loader loader = Loader.builder(repository, Revision.parse("types")).seed(3)
                        .globalBatchSize(BATCH).orderMode(OrderMode.BLOCK).window(3).epochs(EPOCHS).threads(2)
                        .prefetch(SLABS).pinnedMemory(memory).build()) {
                    long slabBytes = loader.slabBytes();
                    assertEquals(slabBytes, memory.allocatedBytes(), "the ring is allocated once, up front");
                    long epoch = 0;
                    for (Batch batch : loader) {
                        boolean epochStart = batch.epoch() != epoch;
                        epoch = batch.epoch();
                        if (epoch >= 1) {
                            // Epoch 0 also holds the Parquet reader's vectors while fragments decode.
                            maxArrow = Math.max(maxArrow, loader.arrowBytes());
                            assertTrue(loader.arrowBytes() <= slabBytes, "Arrow bytes " + loader.arrowBytes()
                                    + " at " + batch + " exceed the " + slabBytes + " bytes of the slabs");
                        }
                        batch.close();
                        if (!epochStart) {
                            continue;
                        }
                        // Between batches at the start of epochs 1..49: nothing left from the epoch before.
                        assertEquals(slabBytes, memory.allocatedBytes(), "pinned at " + batch);
                        assertEquals(fragments, loader.fragmentDecodes(), "each fragment decoded once");
                        if (epoch == 1) {
                            cacheAfterFirst = loader.cachedBytes();
                        }
                        assertEquals(cacheAfterFirst, loader.cachedBytes(), "decoded bytes at " + batch);
                        if (epoch == 1 || epoch % 10 == 0 || epoch == EPOCHS - 1) {
                            long heapNow = heapAfterGc(heap);
                            heapAfterFirst = epoch == 1 ? heapNow : heapAfterFirst;
                            assertTrue(heapNow <= heapAfterFirst + HEAP_SLACK, "heap after GC " + heapNow + " at "
                                    + batch + ", " + heapAfterFirst + " after epoch 0");
                            heapLast = heapNow;
                        }
                    }
                    assertEquals(EPOCHS - 1, epoch);
                    System.out.printf("LoaderMemoryTest: slabs %d B pinned, decoded %d B, Arrow max %d B, heap"
                                    + " after GC %d B after epoch 0 and %d B at epoch %d%n", slabBytes,
                            cacheAfterFirst, maxArrow, heapAfterFirst, heapLast, epoch);
                    assertTrue(maxArrow > 0, "batches wrap slab regions through the allocator");
                }
                assertEquals(0, memory.allocatedBytes(), "every slab freed at close");
            }
        }
    }

    private static long heapAfterGc(MemoryMXBean heap) {
        long used = Long.MAX_VALUE;
        // The smallest of a few collections: a concurrent allocation by another thread only ever adds.
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, heap.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
