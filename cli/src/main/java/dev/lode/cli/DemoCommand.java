package dev.lode.cli;

import dev.lode.engine.FragmentEntry;
import dev.lode.engine.LodeException;
import dev.lode.engine.ObjectId;
import dev.lode.engine.Repository;
import dev.lode.engine.ResolvedRevision;
import dev.lode.engine.Revision;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

@Command(name = "demo", description = {"Run the main job end to end on a local repository in DIR "
        + "(default ./demo-repo, recreated each run):",
        "generate a legacy CSV (100,000 rows, mixed types), import it, tag it, append rows and import again, "
                + "show log and diff, verify, replay batches and resume a stream exactly, then share through S3: "
                + "push, clone, and pull the tagged version into a third repository, checking every byte.",
        "The S3 step starts a local S3-compatible server (s3proxy, in memory) unless --remote names a bucket."})
final class DemoCommand implements Callable<Integer> {
    static final int ROWS = 100_000;
    static final int APPENDED = 1_000;
    private static final long SEED = 20261123L;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "demo-repo",
            description = "Folder for the demo repository and data (default: ${DEFAULT-VALUE}).")
    Path folder;

    @Option(names = "--remote", paramLabel = "s3://BUCKET/PREFIX", description = "Use this bucket for the S3 step "
            + "instead of a local server (a new folder under PREFIX per run); credentials from the AWS SDK chain.")
    String remote;

    @Option(names = "--endpoint", paramLabel = "URL", description = "S3-compatible endpoint for --remote.")
    String endpoint;

    @Option(names = "--region", paramLabel = "REGION", description = "Region for --remote.")
    String region;

    @Option(names = "--path-style", description = "Path-style addressing for --remote (most S3-compatible servers).")
    boolean pathStyle;

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        prepareFolder();
        Path csv = folder.resolve("data").resolve("train.csv");
        Files.createDirectories(csv.getParent());
        String repo = folder.toString();

        say("1. A legacy dataset: " + csv + " (" + ROWS + " rows: id, label, score, name, active, day, measured_at)");
        writeCsv(csv, ROWS);
        step("init", repo);
        step("import", "--repo", repo, "demo", csv.toString(), "-m", "First import of the legacy CSV");
        step("tag", "--repo", repo, "demo", "v1");

        say("");
        say("2. New rows arrive: " + APPENDED + " rows appended to " + csv);
        writeCsv(csv, ROWS + APPENDED);
        step("import", "--repo", repo, "demo", csv.toString(), "-m", "Append " + APPENDED + " rows");
        say("   Importing the same file again converts nothing and adds nothing:");
        step("import", "--repo", repo, "demo", csv.toString());

        say("");
        say("3. What changed");
        step("log", "--repo", repo, "demo");
        step("diff", "--repo", repo, "demo@v1", "demo@main");
        step("show", "--repo", repo, "demo@v1");
        step("verify", "--repo", repo);

        say("");
        say("4. Replay: the batch order is a pure function of (version, seed, epoch), for any rank count");
        step("order", "--repo", repo, "demo@v1", "--seed", "7", "--batch-size", "8", "--steps", "3");
        say("   Rank 1 of 2 gets the second half of each global batch:");
        step("order", "--repo", repo, "demo@v1", "--seed", "7", "--batch-size", "8", "--steps", "3", "--rank", "1",
                "--world-size", "2");
        Path full = folder.resolve("epoch0.arrows");
        Path resumed = folder.resolve("resumed.arrows");
        step("stream", "--repo", repo, "demo@v1", "--seed", "7", "--batch-size", "256", "--columns", "id,label,name",
                "--out", full.toString());
        say("   A run stopped at step 200 resumes there:");
        step("stream", "--repo", repo, "demo@v1", "--seed", "7", "--batch-size", "256", "--columns", "id,label,name",
                "--start-step", "200", "--out", resumed.toString());
        List<String> all = batches(full);
        List<String> tail = batches(resumed);
        if (all.size() < 200 || !all.subList(200, all.size()).equals(tail)) {
            throw new LodeException("demo: the resumed stream differs from the uninterrupted one");
        }
        say(String.format("   %d batches streamed; the %d batches of the resumed stream are identical to steps 200 "
                + "to %d of the uninterrupted one.", all.size(), tail.size(), all.size() - 1));

        say("");
        shareThroughS3(repo);

        say("");
        say(String.format("Done in %.1f s. Where to look next:", (System.nanoTime() - started) / 1e9));
        say("  ./lode show --repo " + repo + " demo --json        the version as JSON (schema, fragments, lineage)");
        say("  ./lode export --repo " + repo + " demo@v1 --to /tmp/v1 --format csv");
        say("  ls " + repo + "/.lode/objects                 content-addressed objects (docs/FORMAT.md)");
        say("  ./lode --help                                   every command");
        return 0;
    }

    /** Step 5: push to a bucket, clone it, pull only the tagged version elsewhere, and compare every byte. */
    private void shareThroughS3(String repo) throws Exception {
        LocalS3Server server = null;
        List<String> connection = new ArrayList<>();
        String url;
        String previousIdentity = System.getProperty("aws.accessKeyId");
        String previousCredential = System.getProperty("aws.secretAccessKey");
        try {
            if (remote == null) {
                server = LocalS3Server.start(Optional.empty(), "127.0.0.1", 0, S3ServerCommand.LOCAL_IDENTITY,
                        S3ServerCommand.LOCAL_CREDENTIAL);
                server.createBucket("lode-demo");
                // The SDK's default chain reads these first; they are the local server's test identity.
                System.setProperty("aws.accessKeyId", S3ServerCommand.LOCAL_IDENTITY);
                System.setProperty("aws.secretAccessKey", S3ServerCommand.LOCAL_CREDENTIAL);
                url = "s3://lode-demo/datasets";
                connection.addAll(List.of("--endpoint", server.endpoint().toString(), "--path-style", "--region",
                        "us-east-1"));
                say("5. Share through S3: a local S3-compatible server (s3proxy, in memory) at " + server.endpoint());
            } else {
                url = Remotes.checkUrl(remote).replaceAll("/+$", "") + "/lode-demo-" + System.currentTimeMillis();
                if (endpoint != null) {
                    connection.addAll(List.of("--endpoint", endpoint));
                }
                if (region != null) {
                    connection.addAll(List.of("--region", region));
                }
                if (pathStyle) {
                    connection.add("--path-style");
                }
                say("5. Share through S3: " + url);
            }
            String clone = folder.resolve("clone").toString();
            String pinned = folder.resolve("pinned").toString();
            step(concat(List.of("remote", "add", "--repo", repo, "origin", url), connection));
            step("push", "--repo", repo);
            say("   Pushing again sends nothing:");
            step("push", "--repo", repo);
            step(concat(List.of("clone", url, clone), connection));
            say("   A third repository pulls only the tagged version:");
            step("init", pinned);
            step(concat(List.of("remote", "add", "--repo", pinned, "origin", url), connection));
            step("pull", "--repo", pinned, "demo@v1");
            long compared = compareVersion(Path.of(repo), Path.of(pinned), "demo", "v1")
                    + compareVersion(Path.of(repo), Path.of(clone), "demo", "main");
            say(String.format("   The pulled demo@v1 and the cloned demo@main are byte-identical to the originals "
                    + "(%d objects compared).", compared));
        } finally {
            restoreProperty("aws.accessKeyId", previousIdentity);
            restoreProperty("aws.secretAccessKey", previousCredential);
            if (server != null) {
                server.close();
            }
        }
    }

    private static String[] concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all.toArray(String[]::new);
    }

    private static void restoreProperty(String name, String value) {
        if (value == null) {
            System.clearProperty(name);
        } else {
            System.setProperty(name, value);
        }
    }

    /**
     * Checks that the copy's ref names the same commit as the original's, and that every object of that version
     * (commit, manifest, fragments) has the same bytes in both. Returns how many objects were compared.
     */
    private static long compareVersion(Path original, Path copy, String dataset, String name) throws IOException {
        try (Repository from = Repository.open(original); Repository to = Repository.open(copy)) {
            ResolvedRevision wanted = from.resolve(new Revision(dataset, name));
            ResolvedRevision got = to.resolve(new Revision(dataset, name));
            if (!wanted.commitId().equals(got.commitId())) {
                throw new LodeException("demo: " + dataset + "@" + name + " is " + got.commitId().abbreviated()
                        + " in " + copy + ", expected " + wanted.commitId().abbreviated());
            }
            List<ObjectId> ids = new ArrayList<>(List.of(wanted.commitId(), wanted.commit().manifest()));
            for (FragmentEntry fragment : from.readManifest(wanted.commit().manifest()).fragments()) {
                ids.add(fragment.object());
            }
            for (ObjectId id : ids) {
                try (InputStream a = from.objects().openVerified(id); InputStream b = to.objects().openVerified(id)) {
                    if (!Arrays.equals(a.readAllBytes(), b.readAllBytes())) {
                        throw new LodeException("demo: object " + id + " differs between " + original + " and "
                                + copy);
                    }
                }
            }
            return ids.size();
        }
    }

    private void prepareFolder() throws IOException {
        if (Files.exists(folder)) {
            boolean ours = Files.isDirectory(folder.resolve(".lode")) || Files.isDirectory(folder.resolve("data"));
            try (Stream<Path> entries = Files.list(folder)) {
                if (!ours && entries.findAny().isPresent()) {
                    throw new LodeException("Refusing to reuse " + folder + ": it is not empty and not a demo folder");
                }
            }
            try (Stream<Path> walk = Files.walk(folder)) {
                for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
        Files.createDirectories(folder);
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static void step(String... args) {
        List<String> shown = new ArrayList<>();
        for (String arg : args) {
            shown.add(arg.contains(" ") ? "\"" + arg + "\"" : arg);
        }
        say("");
        say("$ lode " + String.join(" ", shown));
        int code = Main.run(args);
        if (code != 0) {
            throw new LodeException("demo step 'lode " + String.join(" ", shown) + "' failed with exit code " + code);
        }
    }

    /** Each record batch of an Arrow IPC stream file, rendered as text (row by row, every column). */
    private static List<String> batches(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        try (org.apache.arrow.memory.BufferAllocator allocator = new org.apache.arrow.memory.RootAllocator();
             java.io.InputStream in = Files.newInputStream(file);
             org.apache.arrow.vector.ipc.ArrowStreamReader reader =
                     new org.apache.arrow.vector.ipc.ArrowStreamReader(in, allocator)) {
            while (reader.loadNextBatch()) {
                out.add(reader.getVectorSchemaRoot().contentToTSVString());
            }
        }
        return out;
    }

    /** A deterministic legacy CSV: the first n rows are the same for every n, so a longer file is an append. */
    static void writeCsv(Path file, int rows) throws IOException {
        String[] names = {"alpha", "bravo", "charlie", "delta", "echo", "fox, trot", "golf \"g\"", "hotel"};
        LocalDate epoch = LocalDate.of(2024, 1, 1);
        SplittableRandom random = new SplittableRandom(SEED);
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("id,label,score,name,active,day,measured_at\n");
            for (int i = 0; i < rows; i++) {
                int label = random.nextInt(10);
                double score = Math.round(random.nextDouble() * 1e6) / 1e4;
                String name = names[random.nextInt(names.length)];
                boolean active = random.nextInt(3) != 0;
                LocalDate day = epoch.plusDays(random.nextInt(700));
                long seconds = random.nextLong(86_400);
                out.write(Integer.toString(i));
                out.write(',');
                out.write(Integer.toString(label));
                out.write(',');
                out.write(i % 97 == 0 ? "" : Double.toString(score));
                out.write(',');
                out.write(name.indexOf(',') >= 0 || name.indexOf('"') >= 0
                        ? "\"" + name.replace("\"", "\"\"") + "\"" : name);
                out.write(',');
                out.write(active ? "true" : "false");
                out.write(',');
                out.write(day.toString());
                out.write(',');
                out.write(day + "T" + String.format("%02d:%02d:%02dZ", seconds / 3600, seconds / 60 % 60,
                        seconds % 60));
                out.write('\n');
            }
        }
    }
}
