package dev.lode.loader;

import dev.lode.engine.LodeException;
import dev.lode.engine.Repository;
import dev.lode.engine.Revision;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every column type a dataset stores, with nulls, imported from Arrow IPC into a real repository (Parquet fragments
 * of 256 rows), delivered by the loader and compared value by value with the source rows it names.
 */
class LoaderColumnTypesTest {
    static final int ROWS = 1000;

    @TempDir
    static Path folder;
    static Repository repository;
    static BufferAllocator allocator;
    static VectorSchemaRoot source;

    @BeforeAll
    static void importData() throws IOException {
        Random random = TestRandom.create("LoaderColumnTypesTest");
        repository = Repository.init(folder.resolve("repo"));
        allocator = new RootAllocator();
        source = ColumnValues.writeIpc(folder.resolve("types.arrows"), ColumnValues.smallFragmentSchema(), ROWS,
                random, allocator);
        LoaderTestData.importFile(repository, "types", folder.resolve("types.arrows"));
        LoaderTestData.importFile(repository, "nested", Files.writeString(folder.resolve("nested.jsonl"),
                "{\"id\": 1, \"tags\": [\"a\"], \"point\": {\"x\": 1}}\n{\"id\": 2, \"tags\": [], \"point\": null}\n"));
    }

    @AfterAll
    static void close() throws IOException {
        source.close();
        allocator.close();
        repository.close();
    }

    @Test
    void everyStoredTypeMatchesTheSourceRowsWithNullsOnEveryRank() throws IOException {
        for (OrderMode mode : List.of(OrderMode.SEQUENTIAL, OrderMode.GLOBAL)) {
            for (int rank = 0; rank < 2; rank++) {
                try (PinnedMemory memory = PinnedMemory.open(PinnedMemory.Mode.PLAIN, line -> { });
                     // 74 rows per rank: batch starts and fragment boundaries (every 256 rows) at odd bit offsets.
                     Loader loader = Loader.builder(repository, Revision.parse("types")).seed(17)
                             .globalBatchSize(148).rank(rank, 2).orderMode(mode).tailPolicy(TailPolicy.PARTIAL)
                             .threads(3).pinnedMemory(memory).build()) {
                    assertEquals(source.getSchema().getFields().size(), loader.schema().getFields().size());
                    for (Field field : source.getSchema().getFields()) {
                        Field delivered = loader.schema().findField(field.getName());
                        assertEquals(field.getType(), delivered.getType(), field.getName());
                        assertEquals(field.isNullable(), delivered.isNullable(), field.getName());
                        assertEquals(field.getChildren(), delivered.getChildren(), field.getName());
                    }
                    assertEquals("arrow.fixed_shape_tensor",
                            loader.schema().findField("image").getMetadata().get("ARROW:extension:name"));
                    long rows = checkValues(loader, mode, source.getFieldVectors());
                    assertEquals(ROWS / 2, rows, "rank " + rank + " rows");
                    assertTrue(loader.fragmentDecodes() >= 4, "several fragments: " + loader.fragmentDecodes());
                }
            }
        }
    }

    /** Compares every delivered value and null count of the given source columns; returns the rows delivered. */
    private static long checkValues(Loader loader, OrderMode mode, List<FieldVector> columns) {
        long rows = 0;
            for (Batch batch : loader) {
                try (batch) {
                    long[] samples = batch.samples();
                    for (FieldVector expected : columns) {
                        FieldVector actual = batch.root().getVector(expected.getName());
                        long nulls = 0;
                        for (int i = 0; i < samples.length; i++) {
                            int row = (int) samples[i];
                            assertEquals(ColumnValues.describe(expected, row),
                                    ColumnValues.describe(actual, i), expected.getName() + " of sample "
                                            + row + " at " + batch + ", row " + i + ", " + mode);
                            nulls += expected.isNull(row) ? 1 : 0;
                        }
                        assertEquals(nulls, actual.getNullCount(), expected.getName() + " at " + batch);
                    }
                    rows += samples.length;
                }
            }
        return rows;
    }

    @Test
    void nullableBoolAndTextColumnsComeBackFromTheDiskCacheUnchanged(@TempDir Path cache) throws IOException {
        // Every column the cache format holds: all but tensors with nullable or bool items.
        List<FieldVector> cached = source.getFieldVectors().stream().filter(vector -> {
            List<Field> children = vector.getField().getChildren();
            return children.isEmpty() || !children.get(0).isNullable()
                    && !(children.get(0).getType() instanceof ArrowType.Bool);
        }).toList();
        List<String> names = cached.stream().map(FieldVector::getName).toList();
        assertTrue(cached.stream().anyMatch(vector -> vector.getField().isNullable()), "nullable columns: " + names);
        assertTrue(cached.stream().anyMatch(vector -> vector instanceof BitVector), "a bool column: " + names);
        for (int run = 0; run < 2; run++) {
            try (PinnedMemory memory = PinnedMemory.open(PinnedMemory.Mode.PLAIN, line -> { });
                 Loader loader = Loader.builder(repository, Revision.parse("types")).seed(17).globalBatchSize(74)
                         .orderMode(OrderMode.GLOBAL).tailPolicy(TailPolicy.PARTIAL).threads(2).columns(names)
                         .diskCache(cache).pinnedMemory(memory).build()) {
                assertEquals(ROWS, checkValues(loader, OrderMode.GLOBAL, cached));
                CacheStatistics statistics = loader.cacheStatistics();
                if (run == 0) {
                    assertTrue(statistics.diskWrites() >= 4, "first run fills the cache: " + statistics);
                } else {
                    assertEquals(0, statistics.parquetDecodes(), "second run decodes nothing: " + statistics);
                    assertTrue(statistics.diskHits() >= 4, "second run reads the cache: " + statistics);
                }
            }
        }
    }

    @Test
    void listAndStructColumnsFailAtBuildTimeNamingColumnAndType() throws IOException {
        LodeException all = assertThrows(LodeException.class, () -> Loader.builder(repository,
                Revision.parse("nested")).globalBatchSize(2).build());
        assertTrue(all.getMessage().matches("Cannot load column '(tags|point)': Column (tags|point) has type"
                + " (list|struct) .*; leave it out with columns\\(\\.\\.\\.\\)"), all.getMessage());
        try (PinnedMemory memory = PinnedMemory.open(PinnedMemory.Mode.PLAIN, line -> { });
             Loader loader = Loader.builder(repository, Revision.parse("nested")).globalBatchSize(2)
                     .columns(List.of("id")).pinnedMemory(memory).build()) {
            assertEquals(1, loader.schema().getFields().size());
        }
    }
}
