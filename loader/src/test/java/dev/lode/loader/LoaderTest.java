package dev.lode.loader;

import dev.lode.engine.LodeException;
import dev.lode.engine.Repository;
import dev.lode.engine.Revision;
import dev.lode.engine.TestData;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loader over real repositories: determinism, values, resume, and memory that does not grow. */
class LoaderTest {
    private static final int IMAGES = 10_000; // three fragments of 4096, 4096 and 1808 rows
    private static final int CSV_ROWS = 3_000;

    @TempDir
    static Path folder;
    static Repository repository;
    static Path csv;

    /** One delivered batch, kept after its slab is reused. */
    record Seen(long epoch, long step, long globalStep, long[] samples, List<String> rows, LoaderState after) {
    }

    @BeforeAll
    static void importData() throws IOException {
        repository = Repository.init(folder.resolve("repo"));
        LoaderTestData.importFile(repository, "images", LoaderTestData.writeImages(folder.resolve("images.npy"),
                IMAGES));
        csv = TestData.csv(folder.resolve("table.csv"), 7, CSV_ROWS);
        LoaderTestData.importFile(repository, "table", csv);
        LoaderTestData.importFile(repository, "other", TestData.csv(folder.resolve("other.csv"), 8, CSV_ROWS));
        StringBuilder words = new StringBuilder("id,word\n");
        for (int i = 0; i < CSV_ROWS; i++) {
            words.append(i).append(',').append(word(i)).append('\n');
        }
        LoaderTestData.importFile(repository, "words", Files.writeString(folder.resolve("words.csv"), words));
    }

    @AfterAll
    static void closeRepository() throws IOException {
        repository.close();
    }

    /** Values of every length from 1 to 40, some of them multi-byte UTF-8. */
    static String word(int i) {
        String repeated = ("w" + i + "\u00e9x").repeat(1 + i % 5);
        return repeated.substring(0, Math.min(repeated.length(), 1 + i % 40));
    }

    private static PinnedMemory plainMemory() {
        return PinnedMemory.open(PinnedMemory.Mode.PLAIN, line -> { });
    }

    private static Loader.Builder images() {
        return Loader.builder(repository, Revision.parse("images")).seed(42).globalBatchSize(1000);
    }

    private static List<Seen> run(Loader.Builder builder) throws IOException {
        try (PinnedMemory memory = plainMemory(); Loader loader = builder.pinnedMemory(memory).build()) {
            List<Seen> seen = new ArrayList<>();
            for (Batch batch : loader) {
                try (batch) {
                    assertEquals(batch.samples().length, batch.root().getRowCount());
                    seen.add(new Seen(batch.epoch(), batch.step(), batch.globalStep(), batch.samples(),
                            LoaderTestData.rows(batch), batch.stateAfter()));
                }
            }
            return seen;
        }
    }

    private static void assertSameBatches(List<Seen> expected, List<Seen> actual, String what) {
        assertEquals(expected.size(), actual.size(), what + ": batch count");
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).globalStep(), actual.get(i).globalStep(), what + ": step of batch " + i);
            assertArrayEquals(expected.get(i).samples(), actual.get(i).samples(), what + ": samples of batch " + i);
            assertEquals(expected.get(i).rows(), actual.get(i).rows(), what + ": bytes of batch " + i);
        }
    }

    @Test
    void batchesAreIdenticalForEveryThreadCountAndWorldSize() throws IOException {
        for (OrderMode mode : OrderMode.values()) {
            UnaryOperator<Loader.Builder> base = b -> b.orderMode(mode).window(2)
                    .epochs(2).columns(List.of("images"));
            List<Seen> reference = run(base.apply(images()).threads(1));
            assertEquals(20, reference.size());
            assertSameBatches(reference, run(base.apply(images()).threads(1)), mode + ", again");
            for (int threads : new int[] {2, 4}) {
                assertSameBatches(reference, run(base.apply(images()).threads(threads).prefetch(3)),
                        mode + ", " + threads + " threads");
            }
            for (int world : new int[] {2, 4}) {
                List<List<Seen>> ranks = new ArrayList<>();
                for (int rank = 0; rank < world; rank++) {
                    ranks.add(run(base.apply(images()).rank(rank, world).threads(1 + rank % 3)));
                }
                for (int i = 0; i < reference.size(); i++) {
                    List<Long> samples = new ArrayList<>();
                    List<String> rows = new ArrayList<>();
                    for (List<Seen> rank : ranks) {
                        for (long sample : rank.get(i).samples()) {
                            samples.add(sample);
                        }
                        rows.addAll(rank.get(i).rows());
                    }
                    assertEquals(box(reference.get(i).samples()), samples, mode + ", world " + world + ", batch " + i);
                    assertEquals(reference.get(i).rows(), rows, mode + ", world " + world + ", batch " + i);
                }
            }
        }
    }

    private static List<Long> box(long[] values) {
        List<Long> boxed = new ArrayList<>();
        for (long value : values) {
            boxed.add(value);
        }
        return boxed;
    }

    @Test
    void samplesFollowThePlanAndValuesAreTheSourceRows() throws IOException {
        try (PinnedMemory memory = plainMemory();
             Loader loader = images().orderMode(OrderMode.GLOBAL).tailPolicy(TailPolicy.PARTIAL)
                     .globalBatchSize(768).rank(1, 2).pinnedMemory(memory).build()) {
            OrderPlan plan = loader.plan();
            long steps = 0;
            for (Batch batch : loader) {
                try (batch) {
                    assertArrayEquals(plan.samplesFor(0, batch.step(), 1, 2), batch.samples());
                    long[] samples = batch.samples();
                    for (int i = 0; i < samples.length; i++) {
                        byte[] row = LoaderTestData.rowBytes(batch.root().getVector("images"), i);
                        for (int k = 0; k < row.length; k++) {
                            if (row[k] != LoaderTestData.imageByte(samples[i], k)) {
                                throw new AssertionError("sample " + samples[i] + " byte " + k);
                            }
                        }
                    }
                    steps++;
                }
            }
            assertEquals(plan.stepsPerEpoch(), steps);
        }
    }

    @Test
    void csvColumnsMatchTheSourceFile() throws IOException {
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        try (PinnedMemory memory = plainMemory();
             Loader loader = Loader.builder(repository, Revision.parse("table")).seed(3).globalBatchSize(64)
                     .orderMode(OrderMode.GLOBAL).tailPolicy(TailPolicy.PAD).epochs(2).threads(3)
                     .columns(List.of("id", "label")).pinnedMemory(memory).build()) {
            assertEquals(List.of("id", "label"),
                    loader.schema().getFields().stream().map(f -> f.getName()).toList());
            for (Batch batch : loader) {
                try (batch) {
                    long[] samples = batch.samples();
                    BigIntVector ids = (BigIntVector) batch.root().getVector("id");
                    BigIntVector labels = (BigIntVector) batch.root().getVector("label");
                    for (int i = 0; i < samples.length; i++) {
                        List<String> fields = csvFields(lines.get((int) samples[i] + 1));
                        assertEquals(samples[i], ids.get(i));
                        assertEquals(Long.parseLong(fields.get(1)), labels.get(i));
                    }
                }
            }
        }
    }

    @Test
    void utf8ValuesAreGatheredAcrossBatchesAndRanks() throws IOException {
        for (int rank = 0; rank < 2; rank++) {
            try (PinnedMemory memory = plainMemory();
                 Loader loader = Loader.builder(repository, Revision.parse("words")).seed(5).globalBatchSize(100)
                         .orderMode(OrderMode.GLOBAL).tailPolicy(TailPolicy.PARTIAL).rank(rank, 2).epochs(2)
                         .columns(List.of("word", "id")).pinnedMemory(memory).build()) {
                for (Batch batch : loader) {
                    try (batch) {
                        long[] samples = batch.samples();
                        VarCharVector words = (VarCharVector) batch.root().getVector("word");
                        BigIntVector ids = (BigIntVector) batch.root().getVector("id");
                        for (int i = 0; i < samples.length; i++) {
                            assertEquals(word((int) samples[i]), new String(words.get(i), StandardCharsets.UTF_8));
                            assertEquals(samples[i], ids.get(i));
                        }
                    }
                }
            }
        }
    }

    private static List<String> csvFields(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        fields.add(field.toString());
        return fields;
    }

    @Test
    void unknownColumnsAreRejectedByName() {
        LodeException unknown = assertThrows(LodeException.class, () -> Loader.builder(repository,
                Revision.parse("table")).globalBatchSize(8).columns(List.of("nope")).build());
        assertTrue(unknown.getMessage().startsWith("Cannot load column 'nope': the dataset has columns [id,"),
                unknown.getMessage());
    }

    @Test
    void csvNullsBoolsDatesAndTextMatchTheSourceFile() throws IOException {
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        long nulls = 0;
        try (PinnedMemory memory = plainMemory();
             Loader loader = Loader.builder(repository, Revision.parse("table")).seed(11).globalBatchSize(202)
                     .orderMode(OrderMode.GLOBAL).rank(1, 2).pinnedMemory(memory).build()) {
            assertTrue(loader.schema().findField("score").isNullable());
            for (Batch batch : loader) {
                try (batch) {
                    long[] samples = batch.samples();
                    Float8Vector scores = (Float8Vector) batch.root().getVector("score");
                    BitVector flags = (BitVector) batch.root().getVector("flag");
                    DateDayVector days = (DateDayVector) batch.root().getVector("day");
                    VarCharVector names = (VarCharVector) batch.root().getVector("name");
                    long batchNulls = 0;
                    for (int i = 0; i < samples.length; i++) {
                        List<String> fields = csvFields(lines.get((int) samples[i] + 1));
                        String where = "sample " + samples[i] + " at " + batch + " row " + i;
                        if (fields.get(2).isEmpty()) {
                            assertTrue(scores.isNull(i), where);
                            batchNulls++;
                        } else {
                            assertEquals(Double.parseDouble(fields.get(2)), scores.get(i), where);
                        }
                        assertEquals(Boolean.parseBoolean(fields.get(4)), flags.get(i) == 1, where);
                        assertEquals(LocalDate.parse(fields.get(5)).toEpochDay(), days.get(i), where);
                        if (!fields.get(3).isEmpty()) {
                            assertEquals(fields.get(3), new String(names.get(i), StandardCharsets.UTF_8), where);
                        }
                    }
                    assertEquals(batchNulls, scores.getNullCount());
                    nulls += batchNulls;
                }
            }
        }
        assertTrue(nulls > 0, "rank 1 saw nulls");
    }

    @Test
    void resumingBeforeAtAndAfterAnEpochBoundaryEqualsTheUninterruptedTail() throws IOException {
        UnaryOperator<Loader.Builder> base = b -> b.globalBatchSize(1024).tailPolicy(TailPolicy.PAD).window(2)
                .epochs(3);
        List<Seen> full = run(base.apply(images()));
        long steps = 10; // ceil(10000 / 1024)
        assertEquals(3 * steps, full.size());
        for (long resumeAt : new long[] {steps - 1, steps, steps + 1, 2 * steps + 4}) {
            LoaderState saved = LoaderState.parse(full.get((int) resumeAt - 1).after().toJson());
            assertEquals(resumeAt, saved.globalStep());
            List<Seen> tail = run(base.apply(images()).resumeFrom(saved).rank(0, 1).threads(3));
            assertSameBatches(full.subList((int) resumeAt, full.size()), tail, "resumed at " + resumeAt);
        }
        List<Seen> started = run(base.apply(images()).startStep(steps + 3));
        assertSameBatches(full.subList((int) steps + 3, full.size()), started, "start step");
    }

    @Test
    void resumingUnderADifferentPlanNamesTheField() throws IOException {
        LoaderState saved;
        try (PinnedMemory memory = plainMemory();
             Loader loader = Loader.builder(repository, Revision.parse("table")).globalBatchSize(64)
                     .columns(List.of("id")).pinnedMemory(memory).build()) {
            try (Batch batch = loader.iterator().next()) {
                saved = batch.stateAfter();
            }
        }
        assertMismatch("commit", Loader.builder(repository, Revision.parse("other")).globalBatchSize(64), saved);
        assertMismatch("globalBatchSize", Loader.builder(repository, Revision.parse("table")).globalBatchSize(32),
                saved);
        assertMismatch("mode", Loader.builder(repository, Revision.parse("table")).globalBatchSize(64)
                .orderMode(OrderMode.GLOBAL), saved);
        assertMismatch("seed", Loader.builder(repository, Revision.parse("table")).globalBatchSize(64).seed(9), saved);
    }

    private static void assertMismatch(String field, Loader.Builder builder, LoaderState saved) {
        ResumeMismatchException failure = assertThrows(ResumeMismatchException.class,
                () -> builder.columns(List.of("id")).resumeFrom(saved).build());
        assertEquals(field, failure.field());
        assertTrue(failure.getMessage().startsWith("Cannot resume: " + field + " differs, saved state has "),
                failure.getMessage());
    }

    @Test
    void aSmallCacheEvictsButDeliversTheSameBatches() throws IOException {
        UnaryOperator<Loader.Builder> base = b -> b.window(2).epochs(3).threads(2);
        List<Seen> reference = run(base.apply(images()));
        try (PinnedMemory memory = plainMemory();
             Loader loader = base.apply(images()).cacheBytes(5000L * LoaderTestData.TENSOR_BYTES)
                     .pinnedMemory(memory).build()) {
            int i = 0;
            for (Batch batch : loader) {
                try (batch) {
                    assertEquals(reference.get(i++).rows(), LoaderTestData.rows(batch));
                    assertTrue(loader.cachedBytes() <= 3L * 4096 * LoaderTestData.TENSOR_BYTES);
                }
            }
            assertTrue(loader.fragmentDecodes() > 3, "evicted and decoded again: " + loader.fragmentDecodes());
        }
    }

    @Test
    void holdingEverySlabIsAnErrorNotADeadlock() throws IOException {
        try (PinnedMemory memory = plainMemory();
             Loader loader = images().prefetch(2).pinnedMemory(memory).build()) {
            var batches = loader.iterator();
            Batch first = batches.next();
            Batch second = batches.next();
            IllegalStateException failure = assertThrows(IllegalStateException.class, batches::next);
            assertTrue(failure.getMessage().contains("all 2 slabs are held by open batches"), failure.getMessage());
            assertThrows(IllegalStateException.class, loader::close);
            first.close();
            second.close();
            try (Batch third = batches.next()) {
                assertEquals(2, third.step());
            }
        }
    }
}
