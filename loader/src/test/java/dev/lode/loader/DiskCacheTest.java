package dev.lode.loader;

import dev.lode.engine.Repository;
import dev.lode.engine.Revision;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The on-disk Arrow IPC fragment cache under real repositories: decode once, budget, damage, sharing. */
class DiskCacheTest {
    private static final int IMAGES = 10_000; // three fragments of 4096, 4096 and 1808 rows
    private static final int FRAGMENTS = 3;

    @TempDir
    static Path folder;
    static Repository repository;
    static List<List<String>> imagesReference;
    static List<List<String>> wordsReference;

    @BeforeAll
    static void importData() throws IOException {
        repository = Repository.init(folder.resolve("repo"));
        LoaderTestData.importFile(repository, "images", LoaderTestData.writeImages(folder.resolve("images.npy"),
                IMAGES));
        StringBuilder words = new StringBuilder("id,word\n");
        for (int i = 0; i < 3_000; i++) {
            words.append(i).append(',').append(LoaderTest.word(i)).append('\n');
        }
        LoaderTestData.importFile(repository, "words", Files.writeString(folder.resolve("words.csv"), words));
        imagesReference = run(images().withoutDiskCache()).rows();
        wordsReference = run(words().withoutDiskCache()).rows();
    }

    @AfterAll
    static void closeRepository() throws IOException {
        repository.close();
    }

    record Run(List<List<String>> rows, CacheStatistics statistics) {
    }

    static Loader.Builder images() {
        return Loader.builder(repository, Revision.parse("images")).seed(42).globalBatchSize(1000).epochs(2);
    }

    static Loader.Builder words() {
        return Loader.builder(repository, Revision.parse("words")).seed(7).globalBatchSize(100);
    }

    static Run run(Loader.Builder builder) throws IOException {
        try (PinnedMemory memory = PinnedMemory.open(PinnedMemory.Mode.PLAIN, line -> { });
             Loader loader = builder.pinnedMemory(memory).build()) {
            List<List<String>> rows = new ArrayList<>();
            for (Batch batch : loader) {
                try (batch) {
                    rows.add(LoaderTestData.rows(batch));
                }
            }
            return new Run(rows, loader.cacheStatistics());
        }
    }

    static List<Path> cacheFiles(Path cache) throws IOException {
        try (Stream<Path> files = Files.list(cache)) {
            return files.filter(f -> f.getFileName().toString().endsWith(DiskCache.SUFFIX)).sorted().toList();
        }
    }

    static long bytesOf(List<Path> files) {
        return files.stream().mapToLong(f -> {
            try {
                return Files.size(f);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).sum();
    }

    @Test
    void secondRunDecodesNoParquetAndDeliversTheSameBytes() throws IOException {
        for (CacheCompression compression : CacheCompression.values()) {
            Path cache = folder.resolve("second-run-" + compression);
            UnaryOperator<Loader.Builder> cached = b -> b.diskCache(cache).diskCacheCompression(compression);
            Run first = run(cached.apply(images()));
            assertEquals(imagesReference, first.rows(), compression + ": first run, through the cache");
            assertEquals(FRAGMENTS, first.statistics().parquetDecodes(), compression + ": " + first.statistics());
            assertEquals(FRAGMENTS, first.statistics().diskWrites(), compression + ": " + first.statistics());
            Run second = run(cached.apply(images()));
            assertEquals(imagesReference, second.rows(), compression + ": second run, from the cache files");
            assertEquals(0, second.statistics().parquetDecodes(), compression + ": " + second.statistics());
            assertEquals(FRAGMENTS, second.statistics().diskHits(), compression + ": " + second.statistics());

            Run firstWords = run(cached.apply(words()));
            Run secondWords = run(cached.apply(words()));
            assertEquals(wordsReference, firstWords.rows(), compression + ": utf8 and int64 through the cache");
            assertEquals(wordsReference, secondWords.rows(), compression + ": utf8 and int64 from the cache");
            assertEquals(0, secondWords.statistics().parquetDecodes(), compression + ": " + secondWords.statistics());
        }
        long plain = bytesOf(cacheFiles(folder.resolve("second-run-NONE")));
        long compressed = bytesOf(cacheFiles(folder.resolve("second-run-LZ4_FRAME")));
        assertTrue(compressed < plain / 2, "LZ4 files take " + compressed + " bytes, uncompressed " + plain);
    }

    @Test
    void cacheFilesAreArrowIpcFilesThatArrowReads() throws Exception {
        Path cache = folder.resolve("interop");
        run(images().diskCache(cache));
        List<Path> files = cacheFiles(cache);
        assertEquals(FRAGMENTS, files.size(), files.toString());
        long rowsSeen = 0;
        try (RootAllocator allocator = new RootAllocator()) {
            for (Path file : files) {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
                     ArrowFileReader reader = new ArrowFileReader(channel, allocator)) {
                    VectorSchemaRoot root = reader.getVectorSchemaRoot();
                    assertTrue(reader.loadNextBatch(), file.toString());
                    FixedSizeBinaryVector images = (FixedSizeBinaryVector) root.getVector(0);
                    assertEquals(LoaderTestData.TENSOR_BYTES, images.getByteWidth());
                    rowsSeen += root.getRowCount();
                    // Fragments hold 4096 consecutive samples; which ones is told by the first row's bytes.
                    long sample = -1;
                    for (long start = 0; start < IMAGES; start += 4096) {
                        byte[] expected = new byte[LoaderTestData.TENSOR_BYTES];
                        for (int k = 0; k < expected.length; k++) {
                            expected[k] = LoaderTestData.imageByte(start, k);
                        }
                        if (java.util.Arrays.equals(expected, images.get(0))) {
                            sample = start;
                        }
                    }
                    assertTrue(sample >= 0, "first row of " + file + " is the first image of a fragment");
                    for (int row = 0; row < root.getRowCount(); row += 97) {
                        byte[] expected = new byte[LoaderTestData.TENSOR_BYTES];
                        for (int k = 0; k < expected.length; k++) {
                            expected[k] = LoaderTestData.imageByte(sample + row, k);
                        }
                        assertArrayEquals(expected, images.get(row), file + " row " + row);
                    }
                }
            }
        }
        assertEquals(IMAGES, rowsSeen);
    }

    @Test
    void budgetIsKeptByEvictingFiles() throws IOException {
        Path cache = folder.resolve("budget");
        run(images().diskCache(cache));
        long largest = cacheFiles(cache).stream().mapToLong(f -> f.toFile().length()).max().orElseThrow();
        long budget = largest + largest / 2; // room for one large fragment file, not two
        Path small = folder.resolve("budget-small");
        Run limited = run(images().diskCache(small).diskCacheBytes(budget));
        assertEquals(imagesReference, limited.rows());
        assertTrue(limited.statistics().diskEvictions() >= 1, limited.statistics().toString());
        assertTrue(bytesOf(cacheFiles(small)) <= budget, bytesOf(cacheFiles(small)) + " > " + budget);
        assertTrue(limited.statistics().diskBytes() <= budget, limited.statistics().toString());

        Run again = run(images().diskCache(small).diskCacheBytes(budget));
        assertEquals(imagesReference, again.rows());
        assertTrue(bytesOf(cacheFiles(small)) <= budget);

        Path none = folder.resolve("budget-zero");
        Run zero = run(images().diskCache(none).diskCacheBytes(0));
        assertEquals(imagesReference, zero.rows(), "a zero budget keeps nothing and changes nothing");
        assertEquals(List.of(), cacheFiles(none));
    }

    @Test
    void damagedCacheFilesAreRebuiltNeverServed() throws IOException {
        Path cache = folder.resolve("damaged");
        run(images().diskCache(cache));
        List<Path> files = cacheFiles(cache);
        // Flip one byte in the middle of the first file (inside the image bytes), cut the second short.
        Path flipped = files.get(0);
        byte[] bytes = Files.readAllBytes(flipped);
        bytes[bytes.length / 2] ^= 0x5A;
        Files.write(flipped, bytes);
        Path truncated = files.get(1);
        byte[] whole = Files.readAllBytes(truncated);
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length - 100));

        Run repaired = run(images().diskCache(cache));
        assertEquals(imagesReference, repaired.rows(), "damaged files are not served");
        assertEquals(2, repaired.statistics().corruptFiles(), repaired.statistics().toString());
        assertEquals(2, repaired.statistics().parquetDecodes(), repaired.statistics().toString());
        Run after = run(images().diskCache(cache));
        assertEquals(imagesReference, after.rows());
        assertEquals(0, after.statistics().corruptFiles(), "rebuilt: " + after.statistics());
        assertEquals(0, after.statistics().parquetDecodes(), "rebuilt: " + after.statistics());
        assertEquals(bytes.length, Files.size(flipped), "rebuilt to the same size");
    }

    @Test
    void deletingTheCacheFolderLosesNothing() throws IOException {
        Path cache = repository.root().resolve("cache");
        Run first = run(images());
        assertEquals(imagesReference, first.rows());
        assertEquals(FRAGMENTS, cacheFiles(cache).size(), "the default cache is .lode/cache");
        assertTrue(Files.isDirectory(cache.resolve("index")), "with its RocksDB index");
        try (Stream<Path> all = Files.walk(cache)) {
            for (Path path : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
        Run again = run(images());
        assertEquals(imagesReference, again.rows());
        assertEquals(FRAGMENTS, again.statistics().parquetDecodes(), again.statistics().toString());
        assertEquals(FRAGMENTS, cacheFiles(cache).size());
    }

    @Test
    void loadersSharingOneFolderAtOnceAgree() throws Exception {
        Path cache = folder.resolve("shared");
        Files.createDirectories(cache);
        // A writer that died mid-write leaves a temporary file: it is never taken for a cache file.
        Files.write(cache.resolve("partial.arrow.0123.tmp"), new byte[]{1, 2, 3});
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            List<Future<Run>> runs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                // Only one of them holds the RocksDB index; the others work without it.
                runs.add(threads.submit(() -> run(images().diskCache(cache).threads(2))));
            }
            for (Future<Run> run : runs) {
                assertEquals(imagesReference, run.get().rows());
                assertEquals(0, run.get().statistics().corruptFiles());
            }
        } finally {
            threads.shutdown();
        }
        Run after = run(images().diskCache(cache));
        assertEquals(imagesReference, after.rows());
        assertEquals(0, after.statistics().parquetDecodes(), after.statistics().toString());
        assertFalse(cacheFiles(cache).isEmpty());
    }
}
