package dev.lode.loader;

import dev.lode.engine.FragmentEntry;
import dev.lode.engine.Manifest;
import dev.lode.engine.ObjectId;
import dev.lode.engine.ObjectInfo;
import dev.lode.engine.ObjectStore;
import dev.lode.engine.RefName;
import dev.lode.engine.Repository;
import dev.lode.engine.Revision;
import dev.lode.engine.Transfers;
import dev.lode.s3.S3Location;
import dev.lode.s3.S3Settings;
import dev.lode.s3.S3Stores;
import dev.lode.s3.S3TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A loader over a version that is only on a remote (a real S3-compatible server in-process) reads it on demand. */
class RemoteLoaderTest {
    private static final int IMAGES = 10_000; // three fragments

    @TempDir
    static Path folder;
    static S3TestServer server;
    static S3Stores stores;
    static Set<ObjectId> fragments;

    @BeforeAll
    static void pushToRemote() throws Exception {
        server = S3TestServer.start();
        String bucket = server.createBucket();
        stores = S3Stores.connect(S3Location.parse("s3://" + bucket + "/datasets"), S3Settings.defaults()
                .withEndpoint(server.endpoint()).withRegion("us-east-1").withPathStyle());
        try (Repository source = Repository.init(folder.resolve("source"))) {
            LoaderTestData.importFile(source, "images", LoaderTestData.writeImages(folder.resolve("images.npy"),
                    IMAGES));
            Repository remote = Repository.over(stores.objects(), stores.refs(), folder.resolve("push-staging"));
            new Transfers(source, remote, 2, bytes -> { }).push(RefName.branch("images", Revision.DEFAULT_BRANCH),
                    "test", "push");
            Manifest manifest = source.readManifest(source.resolve(Revision.parse("images")).commit().manifest());
            fragments = manifest.fragments().stream().map(FragmentEntry::object).collect(Collectors.toSet());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        stores.close();
        server.close();
    }

    /** Counts the GETs (opens) of each object, passing everything through to the S3 store. */
    static final class CountingStore implements ObjectStore {
        private final ObjectStore store;
        final Map<ObjectId, AtomicInteger> opens = new ConcurrentHashMap<>();

        CountingStore(ObjectStore store) {
            this.store = store;
        }

        @Override
        public Optional<InputStream> open(ObjectId id) throws IOException {
            opens.computeIfAbsent(id, key -> new AtomicInteger()).incrementAndGet();
            return store.open(id);
        }

        @Override
        public Optional<ObjectInfo> stat(ObjectId id) throws IOException {
            return store.stat(id);
        }

        @Override
        public boolean putIfAbsent(ObjectId id, Path file) throws IOException {
            return store.putIfAbsent(id, file);
        }

        @Override
        public void list(Consumer<ObjectInfo> action) throws IOException {
            store.list(action);
        }

        @Override
        public boolean delete(ObjectId id) throws IOException {
            return store.delete(id);
        }

        @Override
        public String describe() {
            return store.describe();
        }

        Map<ObjectId, Integer> fragmentGets() {
            Map<ObjectId, Integer> gets = new TreeMap<>();
            opens.forEach((id, count) -> {
                if (fragments.contains(id)) {
                    gets.put(id, count.get());
                }
            });
            return gets;
        }
    }

    static Loader.Builder images(Repository repository) {
        return Loader.builder(repository, Revision.parse("images")).seed(42).globalBatchSize(1000).epochs(2)
                .rank(1, 2).threads(3);
    }

    @Test
    void aVersionOnlyOnTheRemoteGivesTheLocalBatchesFetchingEachFragmentOnce() throws IOException {
        DiskCacheTest.Run reference;
        try (Repository source = Repository.open(folder.resolve("source"))) {
            reference = DiskCacheTest.run(images(source).withoutDiskCache());
        }
        for (int lookAhead : new int[]{4, 0}) {
            Path machine = folder.resolve("machine-" + lookAhead);
            CountingStore counting = new CountingStore(stores.objects());
            try (Repository local = Repository.init(machine);
                 Repository remote = Repository.over(counting, stores.refs(), local.root().resolve("tmp"))) {
                DiskCacheTest.Run first = DiskCacheTest.run(images(local).remote(remote).lookAhead(lookAhead));
                assertEquals(reference.rows(), first.rows(), "look-ahead " + lookAhead);
                Map<ObjectId, Integer> gets = counting.fragmentGets();
                assertEquals(fragments, gets.keySet(), "every fragment the epochs read is fetched");
                assertTrue(gets.values().stream().allMatch(n -> n == 1), "each fetched once: " + gets);
                assertEquals(fragments.size(), first.statistics().remoteFetches(), first.statistics().toString());

                DiskCacheTest.Run second = DiskCacheTest.run(images(local).remote(remote).lookAhead(lookAhead));
                assertEquals(reference.rows(), second.rows());
                assertTrue(counting.fragmentGets().values().stream().allMatch(n -> n == 1),
                        "a second run reads the disk cache, not S3: " + counting.fragmentGets());
                assertEquals(0, second.statistics().parquetDecodes(), second.statistics().toString());
                assertFalse(local.objects().store().contains(fragments.iterator().next()),
                        "fragments go to the cache, not into the local repository");
            }
        }
    }

    @Test
    void aLocalVersionIsReadLocallyEvenWithARemote() throws IOException {
        CountingStore counting = new CountingStore(stores.objects());
        try (Repository source = Repository.open(folder.resolve("source"));
             Repository remote = Repository.over(counting, stores.refs(), folder.resolve("staging"))) {
            try (PinnedMemory memory = PinnedMemory.open(PinnedMemory.Mode.PLAIN, line -> { });
                 Loader loader = images(source).remote(remote).withoutDiskCache().pinnedMemory(memory).build()) {
                assertFalse(loader.readsFromRemote());
                for (Batch batch : loader) {
                    batch.close();
                }
                assertEquals(0, loader.cacheStatistics().remoteFetches());
            }
            assertEquals(Map.of(), counting.fragmentGets());
        }
    }
}
