package dev.lode.s3;

import dev.lode.engine.Commit;
import dev.lode.engine.CorruptObjectException;
import dev.lode.engine.FragmentEntry;
import dev.lode.engine.Manifest;
import dev.lode.engine.ObjectId;
import dev.lode.engine.OutcomeUnknownException;
import dev.lode.engine.Ref;
import dev.lode.engine.RefName;
import dev.lode.engine.Repository;
import dev.lode.engine.Revision;
import dev.lode.engine.Transfers;
import dev.lode.engine.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import static dev.lode.s3.FaultInjectingProxy.Fault;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Push and pull (not single store calls) over the real s3proxy behind {@link FaultInjectingProxy}: ranged pulls,
 * tampered ranges, lost answers, and seeded random faults. After every transfer, failed or not, the remote is
 * walked: no ref may name a commit whose objects are missing or corrupt.
 */
class S3TransfersTest {
    private static final RefName MAIN = RefName.branch("d", "main");
    private static final int RANGE = 256 * 1024;
    private static final int ROUNDS = 6;
    private static S3TestServer server;

    @TempDir
    Path folder;

    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void startServer() throws Exception {
        server = S3TestServer.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        server.faults().clear();
        for (AutoCloseable closeable : open.reversed()) {
            closeable.close();
        }
    }

    /** A remote repository in a new bucket; objects of 1 MiB and more are pulled by 256 KiB ranges. */
    private Repository remote() throws IOException {
        S3Settings settings = server.settings().withRangedDownload(1 << 20, RANGE);
        S3Stores stores = S3Stores.connect(new S3Location(server.createBucket(), "team"), settings);
        open.add(stores);
        Repository remote = Repository.over(stores.objects(), stores.refs(),
                Files.createDirectories(folder.resolve("staging-" + open.size())));
        open.add(remote);
        return remote;
    }

    private Repository local(String name) throws IOException {
        Repository repository = Repository.init(folder.resolve(name));
        open.add(repository);
        return repository;
    }

    /** A commit on d@main adding fragments of these sizes (bytes drawn from the seed) to the head's manifest. */
    private static ObjectId commit(Repository repository, long seed, int... sizes) throws IOException {
        Random random = new Random(seed);
        List<FragmentEntry> added = new ArrayList<>();
        for (int size : sizes) {
            byte[] bytes = new byte[size];
            random.nextBytes(bytes);
            added.add(new FragmentEntry(repository.objects().put(bytes), 1, size, Json.object().build()));
        }
        return repository.commit(MAIN, head -> {
            try {
                List<FragmentEntry> fragments = new ArrayList<>();
                if (head.isPresent()) {
                    fragments.addAll(repository.readManifest(repository.readCommit(head.get()).manifest())
                            .fragments());
                }
                fragments.addAll(added);
                ObjectId manifest = repository.objects().put(new Manifest(Json.object().put("fields",
                        Json.array(List.of())).build(), fragments, fragments.size(), 256).toBytes());
                return Optional.of(new Commit("d", manifest, head.map(List::of).orElse(List.of()), "tester",
                        Instant.parse("2026-11-23T00:00:00Z"), "commit " + seed, Optional.empty()));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "test").commit();
    }

    private static Transfers between(Repository from, Repository to) {
        return new Transfers(from, to, 4, bytes -> { });
    }

    private static String keyPart(ObjectId id) {
        return "/objects/" + id.hex().substring(0, 2) + "/" + id.hex().substring(2);
    }

    /**
     * Every ref of the repository names a commit whose whole history (commits, manifests, fragments) is present
     * and hashes to its name. Returns how many objects were checked.
     */
    static long assertComplete(Repository repository, String when) throws IOException {
        List<Ref> refs = new ArrayList<>();
        repository.refs().list(refs::add);
        Set<ObjectId> checked = new HashSet<>();
        for (Ref ref : refs) {
            ArrayDeque<ObjectId> queue = new ArrayDeque<>(List.of(ref.target()));
            while (!queue.isEmpty()) {
                ObjectId id = queue.poll();
                if (!checked.add(id)) {
                    continue;
                }
                assertTrue(repository.objects().store().contains(id), when + ": " + ref.name() + " reaches commit "
                        + id + ", which is missing");
                Commit commit = repository.readCommit(id);
                checked.add(commit.manifest());
                for (FragmentEntry fragment : repository.readManifest(commit.manifest()).fragments()) {
                    if (checked.add(fragment.object())) {
                        assertTrue(repository.objects().store().contains(fragment.object()), when + ": "
                                + ref.name() + " needs fragment " + fragment.object() + ", which is missing");
                        assertTrue(repository.objects().verify(fragment.object()), when + ": fragment "
                                + fragment.object() + " is corrupt");
                    }
                }
                queue.addAll(commit.parents());
            }
        }
        return checked.size();
    }

    @Test
    void pullFetchesALargeFragmentByParallelRangesAndVerifiesIt() throws Exception {
        Repository local = local("a");
        Repository remote = remote();
        Repository clone = local("b");
        int size = 3 * (1 << 20) + 12_345;
        ObjectId head = commit(local, 1, size, 100);
        between(local, remote).push(MAIN, "t", "push");
        ObjectId large = local.readManifest(local.readCommit(head).manifest()).fragments().getFirst().object();

        server.faults().clear();
        Transfers pull = between(remote, clone);
        pull.pull(Revision.parse("d"), false, "t", "pull");
        long ranges = (size + RANGE - 1) / RANGE;
        assertEquals(ranges, server.faults().count("GET", keyPart(large)), "one GET per 256 KiB range");
        assertEquals(4, pull.objectsSent(), "two fragments, the manifest and the commit");
        assertArrayEquals(local.objects().read(large, Long.MAX_VALUE), clone.objects().read(large, Long.MAX_VALUE));
        assertEquals(Optional.of(head), clone.refs().read(MAIN));
        assertComplete(clone, "after the pull");
    }

    @Test
    void aTamperedRangeIsRejectedAndNothingOfItBecomesVisible() throws Exception {
        Repository local = local("a");
        Repository remote = remote();
        Repository clone = local("b");
        ObjectId head = commit(local, 2, 2 * (1 << 20), 10);
        between(local, remote).push(MAIN, "t", "push");
        ObjectId large = local.readManifest(local.readCommit(head).manifest()).fragments().getFirst().object();

        server.faults().inject("GET", keyPart(large), Fault.CORRUPT_BODY, 1);
        CorruptObjectException e = assertThrows(CorruptObjectException.class,
                () -> between(remote, clone).pull(Revision.parse("d"), false, "t", "pull"));
        assertTrue(e.getMessage().contains(keyPart(large).substring(1)), e.getMessage());
        assertTrue(e.getMessage().contains("expected sha256 " + large.hex()), e.getMessage());
        assertFalse(clone.objects().store().contains(large), "the damaged object never appears");
        assertEquals(Optional.empty(), clone.refs().read(MAIN), "no ref moved");
        try (var leftovers = Files.walk(folder.resolve("b"))) {
            assertEquals(List.of(), leftovers.filter(p -> p.toString().endsWith(".partial")).toList());
        }

        server.faults().clear();
        between(remote, clone).pull(Revision.parse("d"), false, "t", "pull");
        assertEquals(Optional.of(head), clone.refs().read(MAIN));
        assertComplete(clone, "after the second pull");
    }

    @Test
    void aLostAnswerAfterAnObjectLandedStillCompletesThePush() throws Exception {
        Repository local = local("a");
        Repository remote = remote();
        ObjectId head = commit(local, 3, 1000, 2000, 3000);
        server.faults().inject("PUT", "/objects/", Fault.DROP_RESPONSE, 2);
        Transfers.RefUpdate update = between(local, remote).push(MAIN, "t", "push");
        assertEquals(Transfers.RefUpdate.Status.CREATED, update.status());
        assertEquals(Optional.of(head), remote.refs().read(MAIN));
        assertEquals(5, assertComplete(remote, "after the push"));
    }

    @Test
    void aLostAnswerAfterTheRefMovedIsLearnedByReReadingNotByRetrying() throws Exception {
        Repository local = local("a");
        Repository remote = remote();
        commit(local, 4, 100);
        between(local, remote).push(MAIN, "t", "push");
        ObjectId second = commit(local, 5, 200);
        server.faults().clear();
        server.faults().inject("PUT", "/refs/d/heads/main", Fault.DROP_RESPONSE, 1);
        assertEquals(Transfers.RefUpdate.Status.FAST_FORWARD, between(local, remote).push(MAIN, "t", "push")
                .status());
        assertEquals(1, server.faults().count("PUT", "/refs/d/heads/main"), "the compare-and-set was not resent");
        assertEquals(Optional.of(second), remote.refs().read(MAIN));
        assertComplete(remote, "after the push");

        // Now the re-read fails too: the push says the outcome is unknown, and a second push learns it landed.
        ObjectId third = commit(local, 6, 300);
        server.faults().inject("PUT", "/refs/d/heads/main", Fault.DROP_RESPONSE, 1);
        server.faults().afterDrop(() -> server.faults().inject("GET", "/refs/d/heads/main", Fault.RESET, 20));
        OutcomeUnknownException unknown = assertThrows(OutcomeUnknownException.class,
                () -> between(local, remote).push(MAIN, "t", "push"));
        assertTrue(unknown.getMessage().contains("d@main"), unknown.getMessage());
        server.faults().clear();
        assertComplete(remote, "after the unknown outcome");
        assertEquals(Transfers.RefUpdate.Status.UP_TO_DATE, between(local, remote).push(MAIN, "t", "push")
                .status(), "it had landed");
        assertEquals(Optional.of(third), remote.refs().read(MAIN));
    }

    @Test
    void pushAndPullUnderSeededRandomFaultsCompleteOrFailCleanly() throws Exception {
        long seed = Long.getLong("lode.seed", 20261124L);
        System.out.println("S3TransfersTest seed " + seed + " (replay with -Dlode.seed=" + seed + ")");
        Random random = new Random(seed);
        Repository local = local("a");
        Repository remote = remote();
        Repository clone = local("b");
        Fault[] pushFaults = {Fault.INTERNAL_ERROR, Fault.SLOW_DOWN, Fault.RESET, Fault.TRUNCATE_BODY,
                Fault.DROP_RESPONSE};
        Fault[] pullFaults = {Fault.INTERNAL_ERROR, Fault.SLOW_DOWN, Fault.RESET, Fault.TRUNCATE_BODY,
                Fault.CORRUPT_BODY};
        String[] methods = {"PUT", "GET", "HEAD", "POST"};
        String[] paths = {"/objects/", "/refs/", "/logs/", "/"};
        int failedPushes = 0;
        int failedPulls = 0;
        for (int round = 0; round < ROUNDS; round++) {
            int[] sizes = new int[1 + random.nextInt(3)];
            for (int i = 0; i < sizes.length; i++) {
                sizes[i] = random.nextInt(4) == 0 ? (1 << 20) + random.nextInt(RANGE) : 1 + random.nextInt(50_000);
            }
            ObjectId head = commit(local, seed + round, sizes);
            String context = "seed " + seed + " round " + round;

            injectRandomFaults(random, pushFaults, methods, paths);
            try {
                between(local, remote).push(MAIN, "t", "push");
            } catch (IOException | RuntimeException e) {
                failedPushes++;
                assertClear(e, context + " push");
            }
            server.faults().clear();
            assertComplete(remote, context + " after the push");
            between(local, remote).push(MAIN, "t", "push");
            assertEquals(Optional.of(head), remote.refs().read(MAIN), context);

            injectRandomFaults(random, pullFaults, new String[] {"GET", "HEAD"}, paths);
            try {
                between(remote, clone).pull(Revision.parse("d"), false, "t", "pull");
            } catch (IOException | RuntimeException e) {
                failedPulls++;
                assertClear(e, context + " pull");
            }
            server.faults().clear();
            assertComplete(clone, context + " after the pull");
            assertTrue(clone.verify().ok(), context + ": " + clone.verify().problems());
            between(remote, clone).pull(Revision.parse("d"), false, "t", "pull");
            assertEquals(Optional.of(head), clone.refs().read(MAIN), context);
        }
        System.out.println("S3TransfersTest: " + failedPushes + " pushes and " + failedPulls
                + " pulls of " + ROUNDS + " failed under faults, all cleanly");
        assertComplete(remote, "at the end");
    }

    private static void injectRandomFaults(Random random, Fault[] faults, String[] methods, String[] paths) {
        int rules = 1 + random.nextInt(3);
        for (int i = 0; i < rules; i++) {
            server.faults().inject(methods[random.nextInt(methods.length)], paths[random.nextInt(paths.length)],
                    faults[random.nextInt(faults.length)], 1 + random.nextInt(4));
        }
    }

    /** A failed transfer's error says what failed: an S3 key, an object hash, or a ref. */
    private static void assertClear(Exception e, String context) {
        String message = String.valueOf(e.getMessage());
        assertTrue(message.contains("s3://") || message.contains("sha256") || message.contains("d@main"),
                context + " failed with an unclear error: " + e);
    }
}
