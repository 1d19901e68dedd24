package dev.lode.s3;

import dev.lode.engine.Commit;
import dev.lode.engine.FragmentEntry;
import dev.lode.engine.JavaProcesses;
import dev.lode.engine.Manifest;
import dev.lode.engine.ObjectId;
import dev.lode.engine.RefName;
import dev.lode.engine.Repository;
import dev.lode.engine.Transfers;
import dev.lode.engine.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 8 OS processes each commit and push 20 times to one branch on S3 with a pull-rebase-retry loop. The server is
 * s3proxy behind the test proxy that serialises writes, since s3proxy's own If-Match check is not atomic.
 */
class ConcurrentPushTest {
    private static final int WORKERS = 8;
    private static final int COMMITS = 20;

    @TempDir
    Path folder;

    @Test
    void everyCommitOfEveryProcessLandsOnce() throws Exception {
        try (S3TestServer server = S3TestServer.start()) {
            String bucket = server.createBucket();
            RefName main = RefName.branch("shared", "main");
            try (S3Stores stores = S3Stores.connect(new S3Location(bucket, "team"), server.settings());
                 Repository remote = Repository.over(stores.objects(), stores.refs(),
                         Files.createDirectories(folder.resolve("staging")));
                 Repository seed = Repository.init(folder.resolve("seed"))) {
                byte[] bytes = "base".getBytes(StandardCharsets.UTF_8);
                ObjectId fragment = seed.objects().put(bytes);
                ObjectId manifest = seed.objects().put(new Manifest(Json.object().put("fields",
                        Json.array(List.of())).build(), List.of(new FragmentEntry(fragment, 1, bytes.length,
                        Json.object().build())), 1, 256).toBytes());
                seed.commit(main, head -> Optional.of(new Commit("shared", manifest, List.of(), "seed",
                        Instant.parse("2026-11-23T00:00:00Z"), "commit base", Optional.empty())), "seed");
                new Transfers(seed, remote, 4, b -> { }).push(main, "seed", "push");

                List<Process> processes = new ArrayList<>();
                for (int w = 0; w < WORKERS; w++) {
                    processes.add(startWorker(folder.resolve("worker-" + w), server, bucket, "w" + w));
                }
                for (Process process : processes) {
                    assertTrue(process.waitFor(8, TimeUnit.MINUTES), "worker finished");
                    assertEquals(0, process.exitValue(), "worker exit code");
                }

                ObjectId head = remote.refs().read(main).orElseThrow();
                List<Repository.LogEntry> history = remote.history(head, Integer.MAX_VALUE);
                assertEquals(1 + WORKERS * COMMITS, history.size(), "all commits and nothing else");
                Set<String> messages = new HashSet<>();
                history.forEach(entry -> messages.add(entry.commit().message()));
                for (int w = 0; w < WORKERS; w++) {
                    for (int i = 0; i < COMMITS; i++) {
                        assertTrue(messages.contains("commit w" + w + "-" + i), "w" + w + "-" + i);
                    }
                }
                Manifest last = remote.readManifest(history.getFirst().commit().manifest());
                assertEquals(1 + WORKERS * COMMITS, last.fragments().size(), "every fragment once");
                assertTrue(remote.verify().ok(), remote.verify().problems().toString());
            }
        }
    }

    private static Process startWorker(Path folder, S3TestServer server, String bucket, String name)
            throws Exception {
        ProcessBuilder builder = JavaProcesses.builder(List.of("-Xmx256m"), PushWorker.class,
                List.of(folder.toString(), server.endpoint().toString(), bucket, name, Integer.toString(COMMITS)));
        builder.environment().put("AWS_ACCESS_KEY_ID", S3TestServer.IDENTITY);
        builder.environment().put("AWS_SECRET_ACCESS_KEY", S3TestServer.CREDENTIAL);
        return builder.start();
    }
}
