package dev.lode.s3;

import dev.lode.engine.CasResult;
import dev.lode.engine.CorruptObjectException;
import dev.lode.engine.LodeException;
import dev.lode.engine.ObjectDatabase;
import dev.lode.engine.ObjectId;
import dev.lode.engine.OutcomeUnknownException;
import dev.lode.engine.RefLogEntry;
import dev.lode.engine.RefName;
import dev.lode.engine.RefStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.lode.s3.FaultInjectingProxy.Fault;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What only the S3 backend does: multipart, ranged downloads, conditional requests, retries and lost answers. */
class S3BackendTest {
    private static final long SEED = 20260101L;
    private static S3TestServer server;

    @TempDir
    Path temporary;

    private final List<S3Stores> connections = new ArrayList<>();

    @BeforeAll
    static void startServer() throws Exception {
        server = S3TestServer.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @AfterEach
    void disconnect() {
        connections.forEach(S3Stores::close);
        server.faults().clear();
    }

    private S3Stores connect(String bucket, S3Settings settings) {
        S3Stores stores = S3Stores.connect(new S3Location(bucket, "lab/repo"), settings);
        connections.add(stores);
        return stores;
    }

    private static byte[] randomBytes(long seed, int size) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static RefLogEntry entry(ObjectId from, ObjectId to) {
        return RefLogEntry.of(from, to, Instant.parse("2026-01-01T00:00:00Z"), "tester", "test");
    }

    private static ObjectId id(int n) {
        return ObjectId.hashOf(("commit " + n).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void largeObjectIsUploadedInPartsAndDownloadedByRanges() throws Exception {
        String bucket = server.createBucket();
        S3Settings settings = server.settings().withMultipart(6 * S3Settings.MEBIBYTE, S3Settings.MINIMUM_PART_SIZE)
                .withRangedDownload(2 * S3Settings.MEBIBYTE, S3Settings.MEBIBYTE);
        S3Stores stores = connect(bucket, settings);
        byte[] bytes = randomBytes(SEED, 11 * S3Settings.MEBIBYTE + 123);
        Path file = temporary.resolve("large");
        Files.write(file, bytes);
        ObjectDatabase database = new ObjectDatabase(stores.objects(), temporary.resolve("staging"));

        ObjectId id = database.putFile(file);
        String key = ((S3ObjectStore) stores.objects()).key(id);
        String eTag = server.client().headObject(request -> request.bucket(bucket).key(key)).eTag();
        assertTrue(eTag.endsWith("-3\""), "a 3-part multipart ETag, got " + eTag);
        assertEquals(3, server.faults().count("PUT", "partNumber="), "three UploadPart requests");
        assertFalse(stores.objects().putIfAbsent(id, file), "the second upload finds the object");

        long rangedBefore = server.faults().count("GET", key.substring(key.lastIndexOf('/')));
        Path target = temporary.resolve("downloaded");
        stores.download(id, target);
        assertArrayEquals(bytes, Files.readAllBytes(target));
        long ranged = server.faults().count("GET", key.substring(key.lastIndexOf('/'))) - rangedBefore;
        assertEquals(12, ranged, "one GET per 1 MiB range");
        assertArrayEquals(bytes, database.read(id, bytes.length), "a plain streaming read agrees");
    }

    @Test
    void rangedDownloadSurvivesATruncatedRange() throws Exception {
        String bucket = server.createBucket();
        S3Stores stores = connect(bucket, server.settings().withRangedDownload(2 * S3Settings.MEBIBYTE,
                S3Settings.MEBIBYTE));
        byte[] bytes = randomBytes(SEED + 1, 3 * S3Settings.MEBIBYTE);
        ObjectId id = new ObjectDatabase(stores.objects(), temporary.resolve("staging")).put(bytes);
        server.faults().inject("GET", id.hex().substring(2), Fault.TRUNCATE_BODY, 1);
        Path target = temporary.resolve("downloaded");
        stores.download(id, target);
        assertArrayEquals(bytes, Files.readAllBytes(target));
    }

    @Test
    void tamperedObjectIsDetectedOnDownloadAndNeverAppears() throws Exception {
        String bucket = server.createBucket();
        S3Stores stores = connect(bucket, server.settings().withRangedDownload(2 * S3Settings.MEBIBYTE,
                S3Settings.MEBIBYTE));
        byte[] bytes = randomBytes(SEED + 2, 3 * S3Settings.MEBIBYTE);
        ObjectId id = new ObjectDatabase(stores.objects(), temporary.resolve("staging")).put(bytes);
        String key = ((S3ObjectStore) stores.objects()).key(id);
        byte[] changed = bytes.clone();
        changed[2_500_000] ^= 0x40;
        server.client().putObject(request -> request.bucket(bucket).key(key), RequestBody.fromBytes(changed));

        Path target = temporary.resolve("downloaded");
        CorruptObjectException e = assertThrows(CorruptObjectException.class, () -> stores.download(id, target));
        assertTrue(e.getMessage().contains("s3://" + bucket + "/" + key), e.getMessage());
        assertTrue(e.getMessage().contains("expected sha256 " + id.hex()), e.getMessage());
        assertTrue(e.getMessage().contains("actual " + ObjectId.hashOf(changed).hex()), e.getMessage());
        assertFalse(Files.exists(target));
        try (var files = Files.list(temporary)) {
            assertTrue(files.noneMatch(path -> path.getFileName().toString().endsWith(".partial")),
                    "no partial file is left behind");
        }
    }

    @Test
    void serverVerifiesTheSha256ChecksumItIsSent() throws Exception {
        String bucket = server.createBucket();
        byte[] bytes = "checked".getBytes(StandardCharsets.UTF_8);
        String wrong = Base64.getEncoder().encodeToString(ObjectId.hashOf("other".getBytes()).toBytes());
        S3Exception e = assertThrows(S3Exception.class, () -> server.client().putObject(request -> request
                .bucket(bucket).key("k").checksumSHA256(wrong), RequestBody.fromBytes(bytes)));
        assertEquals(400, e.statusCode(), e.getMessage());
        String right = Base64.getEncoder().encodeToString(ObjectId.hashOf(bytes).toBytes());
        server.client().putObject(request -> request.bucket(bucket).key("k").checksumSHA256(right),
                RequestBody.fromBytes(bytes));
    }

    @Test
    void serverHonoursConditionalWritesAndDeletes() throws Exception {
        String bucket = server.createBucket();
        var client = server.client();
        String first = client.putObject(request -> request.bucket(bucket).key("ref"), RequestBody.fromString("1"))
                .eTag();
        S3Exception exists = assertThrows(S3Exception.class, () -> client.putObject(request -> request
                .bucket(bucket).key("ref").ifNoneMatch("*"), RequestBody.fromString("2")));
        assertEquals(412, exists.statusCode());
        String second = client.putObject(request -> request.bucket(bucket).key("ref").ifMatch(first),
                RequestBody.fromString("2")).eTag();
        S3Exception stale = assertThrows(S3Exception.class, () -> client.putObject(request -> request
                .bucket(bucket).key("ref").ifMatch(first), RequestBody.fromString("3")));
        assertEquals(412, stale.statusCode());
        S3Exception staleDelete = assertThrows(S3Exception.class, () -> client.deleteObject(request -> request
                .bucket(bucket).key("ref").ifMatch(first)));
        assertEquals(412, staleDelete.statusCode());
        client.deleteObject(request -> request.bucket(bucket).key("ref").ifMatch(second));
    }

    @Test
    void staleEtagIsAConflictAndWritesNothing() throws Exception {
        String bucket = server.createBucket();
        S3Stores stores = connect(bucket, server.settings());
        RefStore refs = stores.refs();
        RefName main = RefName.branch("cifar", "main");
        assertEquals(CasResult.SUCCESS, refs.compareAndSet(main, null, id(1), entry(null, id(1))));
        String key = ((S3RefStore) refs).refKey(main);
        // Another writer moves the ref between our read and our write: make the PUT carry the old ETag by
        // rewriting the ref behind the store's back with identical content but a new ETag (metadata differs).
        String before = server.client().headObject(request -> request.bucket(bucket).key(key)).eTag();
        server.client().putObject(request -> request.bucket(bucket).key(key).ifMatch(before),
                RequestBody.fromString(id(2).hex() + "\n"));
        assertEquals(CasResult.CONFLICT, refs.compareAndSet(main, id(1), id(3), entry(id(1), id(3))));
        assertEquals(Optional.of(id(2)), refs.read(main));
        S3Exception e = assertThrows(S3Exception.class, () -> server.client().putObject(request -> request
                .bucket(bucket).key(key).ifMatch(before), RequestBody.fromString(id(3).hex() + "\n")));
        assertEquals(412, e.statusCode(), "the server rejects the stale ETag");
    }

    @Test
    void concurrentWritersOnSeparateConnectionsLoseNoUpdate() throws Exception {
        String bucket = server.createBucket();
        int writers = 6;
        int movesEach = 8;
        RefName name = RefName.branch("race", "main");
        connect(bucket, server.settings()).refs().compareAndSet(name, null, id(0), entry(null, id(0)));
        AtomicInteger next = new AtomicInteger(1);
        AtomicInteger conflicts = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                RefStore refs = connect(bucket, server.settings()).refs();
                results.add(pool.submit(() -> {
                    for (int i = 0; i < movesEach; i++) {
                        ObjectId update = id(next.getAndIncrement());
                        while (true) {
                            ObjectId current = refs.read(name).orElseThrow();
                            if (refs.compareAndSet(name, current, update, entry(current, update))
                                    == CasResult.SUCCESS) {
                                break;
                            }
                            conflicts.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> result : results) {
                result.get();
            }
        } finally {
            pool.shutdownNow();
        }
        RefStore refs = connect(bucket, server.settings()).refs();
        List<RefLogEntry> log = refs.log(name);
        assertEquals(1 + writers * movesEach, log.size(), "every move logged once (conflicts: " + conflicts + ")");
        for (int i = 1; i < log.size(); i++) {
            assertEquals(log.get(i - 1).newTarget(), log.get(i).oldTarget(), "entry " + i + " continues the chain");
        }
        assertEquals(log.getLast().newTarget(), refs.read(name));
        assertEquals(writers * movesEach, log.stream().map(RefLogEntry::newTarget).distinct().count() - 1);
    }

    @Test
    void throttlingServerErrorsAndResetsAreRetried() throws Exception {
        String bucket = server.createBucket();
        S3Stores stores = connect(bucket, server.settings().withRetries(4));
        ObjectDatabase database = new ObjectDatabase(stores.objects(), temporary.resolve("staging"));
        byte[] bytes = "retried".getBytes(StandardCharsets.UTF_8);
        ObjectId id = ObjectId.hashOf(bytes);
        String part = id.hex().substring(2);
        server.faults().inject("HEAD", part, Fault.SLOW_DOWN, 1);
        server.faults().inject("PUT", part, Fault.INTERNAL_ERROR, 1);
        server.faults().inject("PUT", part, Fault.RESET, 1);
        assertEquals(id, database.put(bytes));
        assertEquals(2, server.faults().count("HEAD", part), "503 SlowDown was retried");
        assertEquals(3, server.faults().count("PUT", part), "500 and a reset were retried");
        server.faults().inject("GET", part, Fault.SLOW_DOWN, 2);
        assertArrayEquals(bytes, database.read(id, 100));
    }

    @Test
    void clientErrorsAreNotRetriedAndNameBucketKeyAndOperation() throws Exception {
        String bucket = server.createBucket();
        S3Stores stores = connect(bucket, server.settings().withRetries(4));
        ObjectId id = id(42);
        String key = ((S3ObjectStore) stores.objects()).key(id);
        server.faults().inject("HEAD", id.hex().substring(2), Fault.ACCESS_DENIED, 5);
        IOException e = assertThrows(IOException.class, () -> stores.objects().stat(id));
        assertEquals(1, server.faults().count("HEAD", id.hex().substring(2)), "403 is not retried");
        assertTrue(e.getMessage().contains("HeadObject of s3://" + bucket + "/" + key), e.getMessage());
        assertTrue(e.getMessage().contains("HTTP 403"), e.getMessage());
        server.faults().clear();
        assertTrue(stores.objects().stat(id).isEmpty());
        assertEquals(1, server.faults().count("HEAD", id.hex().substring(2)), "404 is an answer, not retried");
    }

    @Test
    void lostAnswerAfterALandedRefWriteIsResolvedByReReading() throws Exception {
        String bucket = server.createBucket();
        RefStore refs = connect(bucket, server.settings()).refs();
        RefName main = RefName.branch("cifar", "main");
        refs.compareAndSet(main, null, id(1), entry(null, id(1)));
        server.faults().clear();
        server.faults().inject("PUT", "/refs/cifar/heads/main", Fault.DROP_RESPONSE, 1);
        assertEquals(CasResult.SUCCESS, refs.compareAndSet(main, id(1), id(2), entry(id(1), id(2))));
        assertEquals(1, server.faults().count("PUT", "/refs/cifar/heads/main"), "the ref write was not resent");
        assertEquals(Optional.of(id(2)), refs.read(main));
        assertEquals(2, refs.log(main).size());
    }

    @Test
    void lostAnswerThatCannotBeResolvedIsOutcomeUnknown() throws Exception {
        String bucket = server.createBucket();
        RefStore refs = connect(bucket, server.settings().withRetries(2)).refs();
        RefName main = RefName.branch("cifar", "main");
        refs.compareAndSet(main, null, id(1), entry(null, id(1)));
        server.faults().inject("PUT", "/refs/cifar/heads/main", Fault.DROP_RESPONSE, 1);
        server.faults().afterDrop(() -> server.faults().inject("GET", "/refs/cifar/heads/main", Fault.RESET, 10));
        OutcomeUnknownException e = assertThrows(OutcomeUnknownException.class,
                () -> refs.compareAndSet(main, id(1), id(2), entry(id(1), id(2))));
        assertTrue(e.getMessage().contains("cifar@main"), e.getMessage());
        assertTrue(e.getMessage().contains("s3://" + bucket + "/lab/repo/refs/cifar/heads/main"), e.getMessage());
        server.faults().clear();
        assertEquals(Optional.of(id(2)), refs.read(main), "it had landed; nothing was cleaned up");
    }

    @Test
    void locationsAreParsedStrictly() {
        assertEquals(new S3Location("my-bucket", "a/b"), S3Location.parse("s3://my-bucket//a/b/"));
        assertEquals(new S3Location("my-bucket", ""), S3Location.parse("s3://my-bucket"));
        assertEquals("s3://my-bucket/a/b", S3Location.parse("s3://my-bucket/a/b").toString());
        for (String bad : List.of("s3://", "s3:///prefix", "http://bucket/x", "s3://Bucket/x", "s3://b/x",
                "s3://bad_bucket/x", "s3://192.168.1.1/x", "s3://bucket/a/../b")) {
            LodeException e = assertThrows(LodeException.class, () -> S3Location.parse(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void settingsHonourTheEndpointVariable() {
        S3Settings settings = S3Settings.fromEnvironment(java.util.Map.of("AWS_ENDPOINT_URL", "http://127.0.0.1:9000",
                "AWS_REGION", "eu-west-1"));
        assertEquals(Optional.of(java.net.URI.create("http://127.0.0.1:9000")), settings.endpoint());
        assertEquals(Optional.of("eu-west-1"), settings.region());
        assertTrue(settings.pathStyle());
        assertTrue(S3Settings.fromEnvironment(java.util.Map.of()).endpoint().isEmpty());
    }
}
