package dev.lode.s3;

import dev.lode.engine.Commit;
import dev.lode.engine.FragmentEntry;
import dev.lode.engine.LodeException;
import dev.lode.engine.Manifest;
import dev.lode.engine.ObjectId;
import dev.lode.engine.RefName;
import dev.lode.engine.Repository;
import dev.lode.engine.Revision;
import dev.lode.engine.Transfers;
import dev.lode.engine.json.Json;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Run as a separate OS process by {@link ConcurrentPushTest}: clones the shared branch, then N times commits one
 * new fragment locally and pushes, pulling with rebase and retrying whenever the push is rejected.
 */
public final class PushWorker {
    private PushWorker() {
    }

    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args[0]);
        URI endpoint = URI.create(args[1]);
        String bucket = args[2];
        String worker = args[3];
        int commits = Integer.parseInt(args[4]);
        RefName main = RefName.branch("shared", "main");
        Revision revision = Revision.parse("shared");
        int rejections = 0;
        try (S3Stores stores = S3Stores.connect(new S3Location(bucket, "team"), S3TestServer.settings(endpoint));
             Repository remote = Repository.over(stores.objects(), stores.refs(),
                     Files.createDirectories(folder.resolve("staging")));
             Repository local = Repository.init(folder)) {
            new Transfers(remote, local, 4, bytes -> { }).pull(revision, false, worker, "clone");
            for (int i = 0; i < commits; i++) {
                commitFragment(local, main, worker + "-" + i);
                while (true) {
                    try {
                        new Transfers(local, remote, 4, bytes -> { }).push(main, worker, "push");
                        break;
                    } catch (LodeException rejected) {
                        if (!rejected.getMessage().contains("pull --rebase")) {
                            throw rejected;
                        }
                        rejections++;
                        Thread.sleep(ThreadLocalRandom.current().nextInt(5, 40));
                        new Transfers(remote, local, 4, bytes -> { }).pull(revision, true, worker, "pull --rebase");
                    }
                }
            }
        }
        System.out.println(worker + " pushed " + commits + " commits after " + rejections + " rejections");
    }

    static ObjectId commitFragment(Repository repository, RefName branch, String content) throws Exception {
        return repository.commit(branch, head -> {
            try {
                Manifest manifest = repository.readManifest(repository.readCommit(head.orElseThrow()).manifest());
                byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
                ObjectId fragment = repository.objects().put(bytes);
                List<FragmentEntry> fragments = new ArrayList<>(manifest.fragments());
                fragments.add(new FragmentEntry(fragment, 1, bytes.length, Json.object().build()));
                ObjectId manifestId = repository.objects().put(new Manifest(manifest.schema(), fragments,
                        manifest.rows() + 1, manifest.fragmentRows()).toBytes());
                return Optional.of(new Commit("shared", manifestId, List.of(head.get()), "worker",
                        Instant.parse("2026-11-23T00:00:00Z"), "commit " + content, Optional.empty()));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "commit").commit();
    }
}
