package dev.lode.engine;

import dev.lode.engine.importer.ImportException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Imports of real CSV files into real local repositories. */
class ImportTest {
    @TempDir
    Path folder;

    private Repository newRepository(String name) throws IOException {
        return Repository.init(Files.createDirectories(folder.resolve(name)));
    }

    @Test
    void sameCsvGivesTheSameManifestAndFragmentsInAnyRepositoryAndThreadCount() throws IOException {
        Path csv = TestData.csv(folder.resolve("data.csv"), 1, 50_000);
        ImportResult one;
        ImportResult two;
        try (Repository a = newRepository("a"); Repository b = newRepository("deeper/path/b")) {
            one = a.importFiles(ImportRequest.of("d", List.of(csv)).withThreads(1));
            two = b.importFiles(ImportRequest.of("other", List.of(csv)).withThreads(2));
            assertEquals(one.manifestId(), two.manifestId());
            assertTrue(one.manifest().fragments().size() > 1, "several fragments");
            for (FragmentEntry fragment : one.manifest().fragments()) {
                assertArrayEquals(a.objects().read(fragment.object(), Long.MAX_VALUE),
                        b.objects().read(fragment.object(), Long.MAX_VALUE));
            }
            assertEquals(50_000, one.manifest().rows());
            assertEquals(CommitOutcome.Status.CREATED, one.outcome().status());
        }
    }

    @Test
    void importingTheSameSourcesAgainAddsNothing() throws IOException {
        Path csv = TestData.csv(folder.resolve("data.csv"), 2, 10_000);
        try (Repository repository = newRepository("r")) {
            ImportResult first = repository.importFiles(ImportRequest.of("d", List.of(csv)));
            long objectsBefore = count(repository);
            ImportResult again = repository.importFiles(ImportRequest.of("d", List.of(csv)));
            assertEquals(CommitOutcome.Status.UP_TO_DATE, again.outcome().status());
            assertTrue(again.conversionCached(), "converted once");
            assertEquals(0, again.newObjects());
            assertEquals(first.outcome().commit(), again.outcome().commit());
            assertEquals(objectsBefore, count(repository));
        }
    }

    @Test
    void theIndexIsOnlyACache() throws IOException {
        Path csv = TestData.csv(folder.resolve("data.csv"), 3, 5_000);
        ObjectId manifest;
        try (Repository repository = newRepository("r")) {
            manifest = repository.importFiles(ImportRequest.of("d", List.of(csv))).manifestId();
        }
        Path index = folder.resolve("r/.lode/index");
        assertTrue(Files.isDirectory(index));
        try (var walk = Files.walk(index)) {
            for (Path path : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
        try (Repository repository = Repository.open(folder.resolve("r"))) {
            ImportResult again = repository.importFiles(ImportRequest.of("d", List.of(csv)));
            assertEquals(manifest, again.manifestId());
            assertFalse(again.conversionCached(), "the deleted cache was rebuilt by converting");
            assertEquals(CommitOutcome.Status.UP_TO_DATE, again.outcome().status());
            assertTrue(repository.verify().ok());
        }
        try (Repository repository = Repository.open(folder.resolve("r"))) {
            assertTrue(repository.importFiles(ImportRequest.of("d", List.of(csv))).conversionCached());
        }
    }

    @Test
    void theStatCacheSkipsHashingAnUnchangedFile() throws IOException {
        Path csv = TestData.csv(folder.resolve("data.csv"), 4, 1_000);
        try (Repository repository = newRepository("r")) {
            repository.importFiles(ImportRequest.of("d", List.of(csv)));
            byte[] key = LocalIndex.statKey(csv);
            assertEquals(Optional.of(ObjectDatabase.hashFile(csv)),
                    repository.withIndex(index -> index.cachedHash(key)).flatMap(x -> x));
            Files.writeString(csv, "\n", java.nio.file.StandardOpenOption.APPEND);
            assertFalse(Arrays.equals(key, LocalIndex.statKey(csv)), "a changed file has a new stat key");
        }
    }

    @Test
    void appendingOnePercentStoresUnderFivePercentNewBytes() throws IOException {
        Path csv = folder.resolve("big.csv");
        TestData.csv(csv, 5, 1_000_000);
        try (Repository repository = newRepository("r")) {
            ImportResult first = repository.importFiles(ImportRequest.of("d", List.of(csv)));
            TestData.csv(csv, 5, 1_010_000);
            ImportResult second = repository.importFiles(ImportRequest.of("d", List.of(csv)));
            assertEquals(1_010_000, second.manifest().rows());
            double ratio = (double) second.newBytes() / first.newBytes();
            System.out.printf("append 1%%: first import stored %d bytes, second %d bytes (%.2f%%)%n",
                    first.newBytes(), second.newBytes(), 100 * ratio);
            assertTrue(ratio < 0.05, "new bytes " + second.newBytes() + " vs " + first.newBytes());
            Diff diff = Diff.between(first.manifest(), second.manifest());
            assertEquals(first.manifest().fragments().size() - 1, diff.fragmentsShared());
        }
    }

    @Test
    void badInputChangesNoRefAndLeavesTheRepositoryValid() throws IOException {
        Path good = TestData.csv(folder.resolve("good.csv"), 6, 1_000);
        Path ragged = folder.resolve("ragged.csv");
        Files.writeString(ragged, "a,b,c\n1,2,3\n4,5\n");
        try (Repository repository = newRepository("r")) {
            ObjectId head = repository.importFiles(ImportRequest.of("d", List.of(good))).outcome().commit();
            ImportException e = assertThrows(ImportException.class,
                    () -> repository.importFiles(ImportRequest.of("d", List.of(ragged))));
            assertTrue(e.getMessage().startsWith("Cannot import " + ragged + ": line 3"), e.getMessage());
            assertEquals(Optional.of(head), repository.refs().read(RefName.branch("d", "main")));
            assertEquals(1, repository.refs().log(RefName.branch("d", "main")).size());
            assertTrue(repository.verify().ok());
            assertThrows(ImportException.class,
                    () -> repository.importFiles(ImportRequest.of("fresh", List.of(ragged))));
            assertEquals(Optional.empty(), repository.refs().read(RefName.branch("fresh", "main")));
        }
    }

    @Test
    void exportedCsvImportsBackToTheSameManifest() throws IOException {
        Path csv = TestData.csv(folder.resolve("data.csv"), 7, 20_000);
        try (Repository repository = newRepository("r")) {
            ImportResult result = repository.importFiles(ImportRequest.of("d", List.of(csv)));
            List<Path> exported = repository.exportCsv(result.manifest(), folder.resolve("out"));
            ImportResult again = repository.importFiles(ImportRequest.of("copy", exported));
            assertEquals(result.manifestId(), again.manifestId(), "values, types and order survive the round trip");
            List<Path> parts = repository.exportParquet(result.manifest(), folder.resolve("parquet"));
            assertEquals(result.manifest().fragments().size(), parts.size());
            assertArrayEquals(repository.objects().read(result.manifest().fragments().getFirst().object(),
                    Long.MAX_VALUE), Files.readAllBytes(parts.getFirst()));
            LodeException notEmpty = assertThrows(LodeException.class,
                    () -> repository.exportCsv(result.manifest(), folder.resolve("out")));
            assertTrue(notEmpty.getMessage().endsWith("the folder is not empty"), notEmpty.getMessage());
        }
    }

    @Test
    void killingAnImportAtAnyPointLeavesTheRepositoryValid() throws Exception {
        long seed = new Random().nextLong();
        System.out.println("killingAnImportAtAnyPointLeavesTheRepositoryValid seed=" + seed);
        Random random = new Random(seed);
        Path csv = TestData.csv(folder.resolve("data.csv"), 8, 300_000);
        Path repo = folder.resolve("r");
        Repository.init(repo).close();
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            delays.add(200L + random.nextInt(2500));
        }
        for (long delay : delays) {
            Process process = JavaProcesses.start(ImportWorker.class, repo.toString(), "d",
                    csv.toString());
            if (!process.waitFor(delay, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
            }
            try (Repository repository = Repository.open(repo)) {
                Repository.VerifyReport report = repository.verify();
                assertTrue(report.ok(), "seed " + seed + ", killed after " + delay + " ms: " + report.problems());
                Optional<ObjectId> head = repository.refs().read(RefName.branch("d", "main"));
                if (head.isPresent()) {
                    assertEquals(300_000, repository.readManifest(repository.readCommit(head.get()).manifest())
                            .rows(), "seed " + seed);
                }
            }
        }
        try (Repository repository = Repository.open(repo)) {
            ImportResult done = repository.importFiles(ImportRequest.of("d", List.of(csv)));
            assertEquals(300_000, done.manifest().rows());
            assertTrue(repository.verify().ok());
        }
    }

    private static long count(Repository repository) throws IOException {
        long[] n = new long[1];
        repository.objects().store().list(info -> n[0]++);
        return n[0];
    }
}
