package dev.lode.cli;

import dev.lode.engine.Commit;
import dev.lode.engine.FragmentEntry;
import dev.lode.engine.JavaProcesses;
import dev.lode.engine.Manifest;
import dev.lode.engine.ObjectId;
import dev.lode.engine.Ref;
import dev.lode.engine.RefName;
import dev.lode.engine.Repository;
import dev.lode.engine.RepositoryConfig;
import dev.lode.engine.TestData;
import dev.lode.engine.Transfers;
import dev.lode.s3.S3Location;
import dev.lode.s3.S3Settings;
import dev.lode.s3.S3Stores;
import dev.lode.s3.S3TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kills real {@code lode} processes in the middle of import, branch, tag, push, pull and gc, then checks that
 * nothing was lost or corrupted and that running the command again completes.
 *
 * <p>Two ways to kill: (a) {@code LODE_CRASH_AT=k} makes the child halt at its k-th crash point, right before or
 * after a durable write, fsync, rename, hard link, delete, S3 request or ref compare-and-set (see CrashPoints in the
 * engine and the S3 backend); every point of every command is taken at least once when the budget allows. (b) a
 * SIGKILL after a random delay. After each kill, in this JVM: {@code Repository.verify} passes; every ref is either
 * where it was before or where the uninterrupted command puts it, and leads to complete commits (commit, manifest,
 * every fragment present and hashing to its name); every commit reachable before is still reachable. Every
 * {@value #RERUN_EVERY}rd point (and the first of each kind) re-runs the command, which must succeed and leave
 * exactly the uninterrupted result. Commit times and authors are fixed, so that result is deterministic.
 *
 * <pre>
 * mvn -pl cli -am verify -Dtest=CrashHarnessTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dlode.crash.points=2000 [-Dlode.crash.seed=S] [-Dlode.crash.only=I] [-Dlode.crash.parallel=N]
 * </pre>
 */
class CrashHarnessTest {
    private static final int POINTS = Integer.getInteger("lode.crash.points", 200);
    private static final long SEED = Long.getLong("lode.crash.seed", System.nanoTime());
    private static final int ONLY = Integer.getInteger("lode.crash.only", -1);
    private static final int PARALLEL = Integer.getInteger("lode.crash.parallel", 2);
    private static final int RERUN_EVERY = 3;
    /** One point in this many is a SIGKILL after a random delay instead of a crash point. */
    private static final int RANDOM_DELAY_EVERY = 5;
    private static final String EPOCH = "1795000000";
    private static final Pattern COUNT = Pattern.compile("lode-crash-points: (\\d+)");
    private static final Pattern POINT = Pattern.compile("lode-crash-point \\d+: .*");

    @TempDir
    Path folder;

    private S3TestServer server;
    private Path sources;

    enum Kind { IMPORT, BRANCH, TAG, PUSH, PULL, GC }

    /** The side a command changes: the local repository, or the remote for push. */
    private interface Opened extends AutoCloseable {
        Repository repository();

        @Override
        void close() throws IOException;
    }

    /** A command kind: how to lay out its starting state, its arguments, and where to look afterwards. */
    private final class Scenario {
        final Kind kind;
        final Path template;
        final List<String> arguments;
        int points;
        long millis;
        Map<RefName, ObjectId> before;
        Map<RefName, ObjectId> after;
        Set<ObjectId> committedBefore;

        Scenario(Kind kind, Path template, String... arguments) {
            this.kind = kind;
            this.template = template;
            this.arguments = List.of(arguments);
        }

        /** A fresh copy of the starting state in {@code work}; for push also a fresh bucket seeded with main. */
        Path prepare(Path work) throws IOException {
            Path repo = work.resolve("repo");
            copyTree(template, repo);
            if (kind == Kind.PUSH) {
                String bucket = server.createBucket();
                try (Repository local = Repository.open(repo)) {
                    local.writeConfig(local.config().withRemote(new RepositoryConfig.Remote("origin",
                            "s3://" + bucket + "/team", Optional.of(server.endpoint().toString()),
                            Optional.of("us-east-1"), true)));
                }
                try (Repository first = Repository.open(templates.resolve("first"));
                     Opened remote = openRemote(bucket, work)) {
                    new Transfers(first, remote.repository(), 4, bytes -> { })
                            .push(RefName.branch("d", "main"), "seed", "seed");
                }
            }
            return repo;
        }

        List<String> command(Path repo) {
            List<String> command = new ArrayList<>(List.of(arguments.getFirst(), "--repo", repo.toString()));
            command.addAll(arguments.subList(1, arguments.size()));
            return command;
        }

        /** The repository the command changes. */
        Opened open(Path repo) throws IOException {
            if (kind != Kind.PUSH) {
                Repository local = Repository.open(repo);
                return new Opened() {
                    @Override
                    public Repository repository() {
                        return local;
                    }

                    @Override
                    public void close() throws IOException {
                        local.close();
                    }
                };
            }
            String url;
            try (Repository local = Repository.open(repo)) {
                url = local.config().remotes().get("origin").url();
            }
            return openRemote(S3Location.parse(url).bucket(), repo.resolveSibling("check"));
        }
    }

    private Path templates;

    @Test
    void killedCommandsLeaveEveryRepositoryValidAndLoseNoCommit() throws Exception {
        System.out.println("CrashHarnessTest: seed " + SEED + ", " + POINTS + " points (-Dlode.crash.seed=" + SEED
                + " -Dlode.crash.points=" + POINTS + " reproduces)");
        long start = System.nanoTime();
        try (S3TestServer started = S3TestServer.start()) {
            server = started;
            List<Scenario> scenarios = buildTemplates();
            for (Scenario scenario : scenarios) {
                calibrate(scenario);
            }
            List<Plan> plan = plan(scenarios);
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            AtomicInteger crashed = new AtomicInteger();
            AtomicInteger reruns = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (Plan point : plan) {
                    if (ONLY >= 0 && point.index != ONLY) {
                        continue;
                    }
                    futures.add(pool.submit(() -> {
                        String failure = runPoint(point, crashed, reruns);
                        if (failure != null) {
                            String line = "seed " + SEED + ", point " + point.index + " (" + point.describe()
                                    + "; -Dlode.crash.seed=" + SEED + " -Dlode.crash.points=" + POINTS
                                    + " -Dlode.crash.only=" + point.index + "): " + failure;
                            System.out.println("CRASH HARNESS FAILURE " + line);
                            failures.add(line);
                        }
                        return null;
                    }));
                }
                for (Future<?> future : futures) {
                    future.get();
                }
            } finally {
                pool.shutdownNow();
            }
            System.out.printf("CrashHarnessTest: %d points (%d halted at a crash point or killed), %d re-runs, "
                            + "%d failures, %.1f s; points per command: %s%n", plan.size(), crashed.get(),
                    reruns.get(), failures.size(), (System.nanoTime() - start) / 1e9, counts(scenarios));
            assertTrue(failures.isEmpty(), failures.size() + " failures (seed " + SEED + "):\n"
                    + String.join("\n", failures));
        }
    }

    private static String counts(List<Scenario> scenarios) {
        StringBuilder text = new StringBuilder();
        for (Scenario scenario : scenarios) {
            text.append(text.isEmpty() ? "" : ", ").append(scenario.kind.name().toLowerCase()).append(' ')
                    .append(scenario.points);
        }
        return text.toString();
    }

    // ------------------------------------------------------------------ states

    private List<Scenario> buildTemplates() throws Exception {
        sources = Files.createDirectories(folder.resolve("sources"));
        templates = Files.createDirectories(folder.resolve("templates"));
        // b.csv is a.csv with rows appended: the second import shares the first fragment and adds two.
        Path a = TestData.csv(sources.resolve("a.csv"), 5, 20_000);
        Path b = TestData.csv(sources.resolve("b.csv"), 5, 40_000);
        Path first = templates.resolve("first");
        cli("init", first.toString());
        cli("import", "--repo", first.toString(), "d", a.toString(), "-m", "first");

        Path second = templates.resolve("second");
        copyTree(first, second);
        cli("import", "--repo", second.toString(), "d", b.toString(), "-m", "second");
        cli("tag", "--repo", second.toString(), "d", "v1");

        Path garbage = templates.resolve("garbage");
        copyTree(second, garbage);
        try (Repository repository = Repository.open(garbage)) {
            ObjectId manifest = repository.resolve(dev.lode.engine.Revision.parse("d@main")).commit().manifest();
            for (int i = 0; i < 6; i++) {
                repository.objects().put(("unreferenced " + i).getBytes(StandardCharsets.UTF_8));
            }
            repository.objects().put(new Commit("d", manifest, List.of(), "crash", Instant.parse(
                    "2026-01-01T00:00:00Z"), "orphan", Optional.empty()).toBytes());
        }

        String pullBucket = server.createBucket();
        try (Repository full = Repository.open(second); Opened remote = openRemote(pullBucket, folder)) {
            for (RefName ref : List.of(RefName.branch("d", "main"), RefName.tag("d", "v1"))) {
                new Transfers(full, remote.repository(), 4, bytes -> { }).push(ref, "seed", "seed");
            }
        }
        Path pull = templates.resolve("pull");
        copyTree(first, pull);
        cli("remote", "add", "--repo", pull.toString(), "origin", "s3://" + pullBucket + "/team", "--endpoint",
                server.endpoint().toString(), "--path-style", "--region", "us-east-1");
        Path push = templates.resolve("push");
        copyTree(second, push);

        return List.of(
                new Scenario(Kind.IMPORT, first, "import", "d", b.toString(), "-m", "second"),
                new Scenario(Kind.BRANCH, second, "branch", "d@main", "feature"),
                new Scenario(Kind.TAG, second, "tag", "d@main", "v2"),
                new Scenario(Kind.PUSH, push, "push"),
                new Scenario(Kind.PULL, pull, "pull", "d@main"),
                new Scenario(Kind.GC, garbage, "gc", "--grace", "PT0S"));
    }

    private static void cli(String... args) {
        CliRunner.Result result = CliRunner.run(args);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", args) + ": " + result.err());
        }
    }

    private Opened openRemote(String bucket, Path work) throws IOException {
        S3Stores stores = S3Stores.connect(new S3Location(bucket, "team"), S3Settings.defaults()
                .withEndpoint(server.endpoint()).withRegion("us-east-1").withPathStyle());
        Repository repository = Repository.over(stores.objects(), stores.refs(),
                Files.createDirectories(work.resolve("staging-" + bucket)));
        return new Opened() {
            @Override
            public Repository repository() {
                return repository;
            }

            @Override
            public void close() throws IOException {
                try {
                    repository.close();
                } finally {
                    stores.close();
                }
            }
        };
    }

    /** Runs the command once uninterrupted: how many crash points it has, how long it takes, what it leaves. */
    private void calibrate(Scenario scenario) throws Exception {
        Path work = folder.resolve("calibrate-" + scenario.kind);
        Path repo = scenario.prepare(work);
        try (Opened opened = scenario.open(repo)) {
            scenario.before = refs(opened.repository());
            scenario.committedBefore = reachable(opened.repository(), scenario.before.values());
        }
        long start = System.nanoTime();
        Run run = runCommand(scenario, repo, work, Integer.MAX_VALUE, -1);
        scenario.millis = (System.nanoTime() - start) / 1_000_000;
        if (run.exit != 0) {
            throw new IllegalStateException(scenario.kind + " failed uninterrupted: " + run.output);
        }
        Matcher matcher = COUNT.matcher(run.output);
        while (matcher.find()) {
            scenario.points += Integer.parseInt(matcher.group(1));
        }
        try (Opened opened = scenario.open(repo)) {
            scenario.after = refs(opened.repository());
        }
        if (scenario.points == 0 || (scenario.kind != Kind.GC && scenario.after.equals(scenario.before))) {
            throw new IllegalStateException(scenario.kind + " wrote nothing: " + run.output);
        }
    }

    // ------------------------------------------------------------------ plan

    /** One kill: a crash point {@code k} of a command, or a random delay in milliseconds when k is 0. */
    private record Plan(int index, Scenario scenario, int k, long delayMillis, boolean rerun) {
        String describe() {
            return scenario.kind.name().toLowerCase() + (k > 0 ? ", LODE_CRASH_AT=" + k + " of " + scenario.points
                    : ", SIGKILL after " + delayMillis + " ms") + (rerun ? ", re-run" : "");
        }
    }

    /**
     * Every crash point of every command once (shuffled by the seed), and random-delay kills, up to the budget;
     * a larger budget adds random crash points.
     */
    private static List<Plan> plan(List<Scenario> scenarios) {
        Random random = new Random(SEED);
        List<Object[]> all = new ArrayList<>();
        for (Scenario scenario : scenarios) {
            for (int k = 1; k <= scenario.points; k++) {
                all.add(new Object[] {scenario, k});
            }
        }
        Collections.shuffle(all, random);
        List<Plan> plan = new ArrayList<>();
        Set<Kind> rerunKinds = new HashSet<>();
        int next = 0;
        for (int index = 0; index < POINTS; index++) {
            Scenario scenario;
            int k;
            long delay = -1;
            if (index % RANDOM_DELAY_EVERY == RANDOM_DELAY_EVERY - 1) {
                scenario = scenarios.get(random.nextInt(scenarios.size()));
                k = 0;
                delay = (long) (random.nextDouble() * scenario.millis * 1.2);
            } else if (next < all.size()) {
                scenario = (Scenario) all.get(next)[0];
                k = (Integer) all.get(next)[1];
                next++;
            } else {
                scenario = scenarios.get(random.nextInt(scenarios.size()));
                k = 1 + random.nextInt(scenario.points);
            }
            boolean rerun = index % RERUN_EVERY == 0 || rerunKinds.add(scenario.kind);
            plan.add(new Plan(index, scenario, k, delay, rerun));
        }
        return plan;
    }

    // ------------------------------------------------------------------ one point

    private record Run(int exit, String output) {
    }

    private String runPoint(Plan point, AtomicInteger crashed, AtomicInteger reruns) throws Exception {
        Scenario scenario = point.scenario;
        Path work = folder.resolve("point-" + point.index);
        Path repo = scenario.prepare(work);
        Run run = runCommand(scenario, repo, work, point.k, point.delayMillis);
        boolean halted = point.k > 0 && run.exit == 137 && POINT.matcher(run.output).find();
        boolean killed = point.k == 0 && run.exit != 0;
        if (halted || killed) {
            crashed.incrementAndGet();
        } else if (run.exit != 0) {
            return "the command failed on its own (exit " + run.exit + "): " + run.output;
        }
        String where = halted ? firstMatch(POINT, run.output) : killed ? "killed" : "completed";
        List<String> problems = check(scenario, repo, !halted && !killed);
        if (!problems.isEmpty()) {
            return "after the kill (" + where + "): " + problems;
        }
        if (point.rerun) {
            reruns.incrementAndGet();
            Run again = runCommand(scenario, repo, work, 0, -1);
            if (again.exit != 0) {
                return "after the kill (" + where + ") the re-run failed with exit " + again.exit + ": "
                        + again.output;
            }
            problems = check(scenario, repo, true);
            if (!problems.isEmpty()) {
                return "after the kill (" + where + ") and a re-run: " + problems;
            }
        }
        deleteTree(work);
        return null;
    }

    private static String firstMatch(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        return matcher.find() ? matcher.group() : "";
    }

    /**
     * Runs the command as a process: {@code crashAt > 0} sets LODE_CRASH_AT, {@code delayMillis >= 0} kills it
     * with SIGKILL after that long.
     */
    private Run runCommand(Scenario scenario, Path repo, Path work, int crashAt, long delayMillis) throws Exception {
        ProcessBuilder builder = JavaProcesses.builder(JavaProcesses.QUICK_START, Main.class,
                scenario.command(repo));
        Map<String, String> environment = builder.environment();
        environment.put("SOURCE_DATE_EPOCH", EPOCH);
        environment.put("LODE_AUTHOR", "crash-harness");
        environment.put("AWS_ACCESS_KEY_ID", S3TestServer.IDENTITY);
        environment.put("AWS_SECRET_ACCESS_KEY", S3TestServer.CREDENTIAL);
        environment.remove("LODE_CRASH_AT");
        if (crashAt > 0) {
            environment.put("LODE_CRASH_AT", Integer.toString(crashAt));
        }
        Path log = work.resolve("output-" + System.nanoTime() + ".txt");
        builder.redirectOutput(log.toFile());
        Process process = builder.start();
        if (delayMillis >= 0) {
            if (!process.waitFor(delayMillis, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        }
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly().waitFor();
            return new Run(-1, "timed out after 2 minutes: " + Files.readString(log));
        }
        return new Run(process.exitValue(), Files.readString(log));
    }

    // ------------------------------------------------------------------ invariants

    /**
     * The invariants after a kill; {@code finished} demands the uninterrupted result exactly. Returns the problems.
     */
    private List<String> check(Scenario scenario, Path repo, boolean finished) throws IOException {
        List<String> problems = new ArrayList<>();
        try (Opened opened = scenario.open(repo)) {
            Repository repository = opened.repository();
            Repository.VerifyReport report = repository.verify();
            if (!report.ok()) {
                problems.add("verify: " + report.problems());
            }
            Map<RefName, ObjectId> now = refs(repository);
            Set<RefName> names = new HashSet<>(now.keySet());
            names.addAll(scenario.before.keySet());
            names.addAll(scenario.after.keySet());
            for (RefName name : names) {
                ObjectId current = now.get(name);
                ObjectId was = scenario.before.get(name);
                ObjectId wanted = scenario.after.get(name);
                boolean allowed = finished ? java.util.Objects.equals(current, wanted)
                        : java.util.Objects.equals(current, was) || java.util.Objects.equals(current, wanted);
                if (!allowed) {
                    problems.add("ref " + name + " is " + current + "; expected " + (finished ? wanted
                            : "either " + was + " (before) or " + wanted + " (after)"));
                }
            }
            for (Map.Entry<RefName, ObjectId> ref : now.entrySet()) {
                problems.addAll(complete(repository, ref.getKey(), ref.getValue()));
            }
            Set<ObjectId> reachable = reachable(repository, now.values());
            for (ObjectId commit : scenario.committedBefore) {
                if (!reachable.contains(commit)) {
                    problems.add("commit " + commit + " was reachable before the kill and is lost");
                }
            }
        } catch (RuntimeException e) {
            problems.add("checking failed: " + e);
        }
        return problems;
    }

    /** Every commit of the ref's history, its manifest and every fragment present, each hashing to its name. */
    private static List<String> complete(Repository repository, RefName ref, ObjectId tip) throws IOException {
        List<String> problems = new ArrayList<>();
        ArrayDeque<ObjectId> queue = new ArrayDeque<>(List.of(tip));
        Set<ObjectId> seen = new HashSet<>();
        while (!queue.isEmpty()) {
            ObjectId id = queue.poll();
            if (!seen.add(id)) {
                continue;
            }
            try {
                Commit commit = repository.readCommit(id);
                Manifest manifest = repository.readManifest(commit.manifest());
                for (FragmentEntry fragment : manifest.fragments()) {
                    if (!repository.objects().verify(fragment.object())) {
                        problems.add(ref + ": fragment " + fragment.object() + " does not hash to its name");
                    }
                }
                queue.addAll(commit.parents());
            } catch (RuntimeException e) {
                problems.add(ref + ": commit " + id + " is incomplete: " + e.getMessage());
            }
        }
        return problems;
    }

    private static Map<RefName, ObjectId> refs(Repository repository) throws IOException {
        Map<RefName, ObjectId> refs = new TreeMap<>();
        repository.refs().list((Ref ref) -> refs.put(ref.name(), ref.target()));
        return refs;
    }

    private static Set<ObjectId> reachable(Repository repository, java.util.Collection<ObjectId> tips)
            throws IOException {
        Set<ObjectId> seen = new HashSet<>();
        ArrayDeque<ObjectId> queue = new ArrayDeque<>(tips);
        while (!queue.isEmpty()) {
            ObjectId id = queue.poll();
            if (seen.add(id)) {
                queue.addAll(repository.readCommit(id).parents());
            }
        }
        return seen;
    }

    // ------------------------------------------------------------------ files

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path path : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void deleteTree(Path folder) throws IOException {
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path path : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        }
    }
}
