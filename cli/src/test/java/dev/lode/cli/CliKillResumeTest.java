package dev.lode.cli;

import dev.lode.engine.Commit;
import dev.lode.engine.FragmentEntry;
import dev.lode.engine.ObjectId;
import dev.lode.engine.Ref;
import dev.lode.engine.RefName;
import dev.lode.engine.Repository;
import dev.lode.engine.RepositoryTest;
import dev.lode.engine.json.Json;
import dev.lode.s3.S3Location;
import dev.lode.s3.S3Settings;
import dev.lode.s3.S3Stores;
import dev.lode.s3.S3TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code lode push} and {@code lode pull} as real OS processes, killed with SIGKILL midway (the server holds each
 * request a seeded while, and the kill comes after a seeded number of object requests), then run again: the second
 * run completes, sends only what had not arrived, and no ref ever names a commit whose objects are missing.
 */
class CliKillResumeTest {
    private static final int FRAGMENTS = 24;
    private static final int OBJECTS = FRAGMENTS + 2;
    private static S3TestServer server;

    @TempDir
    Path folder;

    @BeforeAll
    static void start() throws Exception {
        server = S3TestServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void killedPushAndPullResumeWithoutResendingAndNeverExposeAnIncompleteCommit() throws Exception {
        long seed = Long.getLong("lode.seed", 20261125L);
        System.out.println("CliKillResumeTest seed " + seed + " (replay with -Dlode.seed=" + seed + ")");
        Random random = new Random(seed);
        String bucket = server.createBucket();
        String url = "s3://" + bucket + "/team";
        Path a = folder.resolve("a");
        String[] contents = new String[FRAGMENTS];
        for (int i = 0; i < FRAGMENTS; i++) {
            contents[i] = "fragment " + i + " of seed " + seed + " " + "x".repeat(random.nextInt(20_000));
        }
        ObjectId head;
        try (Repository local = Repository.init(a)) {
            head = RepositoryTest.commitFragments(local, "d", "main", contents);
        }
        remoteAdd(a, url);

        // Push, killed after some objects arrived.
        int killAfter = 4 + random.nextInt(FRAGMENTS - 12);
        server.delayEachRequest(15 + random.nextInt(20));
        Process push = lode("push", "--repo", a.toString(), "--parallel", "2");
        killAfter(push, "PUT", "/team/objects/", killAfter);
        server.delayEachRequest(0);
        long landed;
        try (S3Stores stores = connect(bucket); Repository remote = over(stores, folder.resolve("staging"))) {
            assertEquals(Optional.empty(), remote.refs().read(RefName.branch("d", "main")),
                    "the killed push moved no ref");
            landed = count(remote);
            assertComplete(remote);
        }
        assertTrue(landed >= killAfter - 2 && landed < OBJECTS, "objects that arrived before the kill: " + landed);
        Json.JsonObject again = json("push", "--repo", a.toString(), "--json");
        assertEquals(OBJECTS - landed, again.getLong("objects"), "the second push sends only what had not arrived");
        try (S3Stores stores = connect(bucket); Repository remote = over(stores, folder.resolve("staging"))) {
            assertEquals(Optional.of(head), remote.refs().read(RefName.branch("d", "main")));
            assertEquals(OBJECTS, assertComplete(remote));
        }

        // Pull into a new repository, killed after some objects were fetched.
        Path c = folder.resolve("c");
        assertEquals(0, CliRunner.run("init", c.toString()).exitCode());
        remoteAdd(c, url);
        killAfter = 4 + random.nextInt(FRAGMENTS - 12);
        server.delayEachRequest(15 + random.nextInt(20));
        Process pull = lode("pull", "--repo", c.toString(), "--parallel", "2", "d@main");
        killAfter(pull, "GET", "/team/objects/", killAfter);
        server.delayEachRequest(0);
        long fetched;
        try (Repository local = Repository.open(c)) {
            assertEquals(Optional.empty(), local.refs().read(RefName.branch("d", "main")),
                    "the killed pull moved no ref");
            fetched = count(local);
            assertTrue(local.verify().ok(), "no partial object is visible: " + local.verify().problems());
        }
        assertTrue(fetched > 0 && fetched < OBJECTS, "objects fetched before the kill: " + fetched);
        Json.JsonObject resumed = json("pull", "--repo", c.toString(), "d@main", "--json");
        assertEquals(OBJECTS - fetched, resumed.getLong("objects"), "the second pull fetches only what is missing");
        try (Repository local = Repository.open(c)) {
            assertEquals(Optional.of(head), local.refs().read(RefName.branch("d", "main")));
            assertEquals(OBJECTS, assertComplete(local));
        }
    }

    private static void remoteAdd(Path repository, String url) {
        json("remote", "add", "--repo", repository.toString(), "origin", url, "--endpoint",
                server.endpoint().toString(), "--path-style", "--region", "us-east-1", "--json");
    }

    private static Json.JsonObject json(String... args) {
        CliRunner.Result result = CliRunner.run(args);
        assertEquals(0, result.exitCode(), String.join(" ", args) + ": " + result.err());
        return Json.parse(result.out().trim()).asObject();
    }

    /** The command line in its own JVM, with the test server's identity in the environment. */
    private Process lode(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(folder.resolve("child-" + args[0] + ".log").toFile());
        builder.environment().put("AWS_ACCESS_KEY_ID", S3TestServer.IDENTITY);
        builder.environment().put("AWS_SECRET_ACCESS_KEY", S3TestServer.CREDENTIAL);
        return builder.start();
    }

    /** SIGKILLs the process once the server has seen {@code requests} matching requests; fails if it ended first. */
    private void killAfter(Process process, String method, String path, int requests) throws Exception {
        long before = server.requests(method, path);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (server.requests(method, path) - before < requests) {
            if (!process.isAlive()) {
                throw new AssertionError("the process ended before it could be killed (exit " + process.exitValue()
                        + "); its output is in " + folder);
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new AssertionError("the process made fewer than " + requests + " requests in 120 s");
            }
            Thread.sleep(2);
        }
        process.destroyForcibly(); // SIGKILL on Linux and macOS: no shutdown hooks, no cleanup.
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, process.exitValue(), "killed by SIGKILL");
        server.awaitIdle();
    }

    private static S3Stores connect(String bucket) {
        return S3Stores.connect(new S3Location(bucket, "team"), S3Settings.defaults()
                .withEndpoint(server.endpoint()).withRegion("us-east-1").withPathStyle());
    }

    private static Repository over(S3Stores stores, Path staging) throws IOException {
        return Repository.over(stores.objects(), stores.refs(), Files.createDirectories(staging));
    }

    private static long count(Repository repository) throws IOException {
        long[] n = new long[1];
        repository.objects().store().list(info -> n[0]++);
        return n[0];
    }

    /** Every ref names a commit whose commits, manifests and fragments are all present and intact. */
    private static long assertComplete(Repository repository) throws IOException {
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
                assertTrue(repository.objects().verify(id), ref.name() + " reaches commit " + id);
                Commit commit = repository.readCommit(id);
                assertTrue(checked.add(commit.manifest()) && repository.objects().verify(commit.manifest()));
                for (FragmentEntry fragment : repository.readManifest(commit.manifest()).fragments()) {
                    if (checked.add(fragment.object())) {
                        assertTrue(repository.objects().verify(fragment.object()), ref.name() + " needs "
                                + fragment.object());
                    }
                }
                queue.addAll(commit.parents());
            }
        }
        return checked.size();
    }
}
