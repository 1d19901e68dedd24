package dev.lode.cli;

import dev.lode.engine.ObjectId;
import dev.lode.engine.RefName;
import dev.lode.engine.Repository;
import dev.lode.engine.TestData;
import dev.lode.s3.FaultInjectingProxy;
import dev.lode.s3.S3TestServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Opt-in soak: {@code mvn -pl cli -am verify -Dtest=SoakTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dlode.soak=10m} (any ISO-8601 duration without "PT", such as 90s or 10m). For that long, in this JVM, it imports
 * a growing CSV, pushes to s3proxy through the fault-injecting proxy (5xx, throttling, resets, truncated bodies,
 * lost answers), pulls into a second repository and streams batches from it, retrying what a fault broke. At the
 * end: every commit made is on the remote and in the clone, all three repositories verify, and file descriptors
 * (/proc/self/fd), threads, heap after GC, direct and mapped buffers, and resident memory have not grown beyond
 * small margins compared with after the warm-up. Each command's Arrow allocator refuses to close with memory still
 * allocated, so an Arrow leak fails the command itself. Prints the seed and the figures.
 */
class SoakTest {
    private static final String DURATION = System.getProperty("lode.soak", "");
    private static final long SEED = Long.getLong("lode.soak.seed", System.nanoTime());
    private static final int WARM_UP = 3;

    @TempDir
    Path folder;

    record Figures(long fds, int threads, long heap, long direct, long mapped, long resident) {
        static Figures now() throws IOException {
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
            long fds;
            try (Stream<Path> files = Files.list(Path.of("/proc/self/fd"))) {
                fds = files.count();
            }
            long direct = 0;
            long mapped = 0;
            for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
                if (pool.getName().equals("direct")) {
                    direct = pool.getMemoryUsed();
                } else if (pool.getName().startsWith("mapped")) {
                    mapped += pool.getMemoryUsed();
                }
            }
            long resident = 0;
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    resident = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            // Threads of the in-process S3 server and its fault proxy come and go with load; count only ours.
            int threads = 0;
            for (Thread thread : Thread.getAllStackTraces().keySet()) {
                if (!serverThread(thread.getName())) {
                    threads++;
                }
            }
            return new Figures(fds, threads,
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), direct, mapped, resident);
        }

        static boolean serverThread(String name) {
            return name.startsWith("fault-proxy") || name.startsWith("qtp") || name.startsWith("S3Proxy")
                    || name.startsWith("Scheduler-") || name.startsWith("Connector-Scheduler")
                    || name.startsWith("user thread");
        }

        /** Thread names with digits dropped, and how many of each: to see what grew. */
        static String threadKinds() {
            java.util.TreeMap<String, Integer> kinds = new java.util.TreeMap<>();
            for (Thread thread : Thread.getAllStackTraces().keySet()) {
                kinds.merge(thread.getName().replaceAll("[0-9]+", "#"), 1, Integer::sum);
            }
            return kinds.toString();
        }

        @Override
        public String toString() {
            return "fds " + fds + ", threads " + threads + ", heap after GC " + (heap >> 20) + " MiB, direct "
                    + (direct >> 10) + " KiB, mapped " + (mapped >> 10) + " KiB, resident " + (resident >> 20)
                    + " MiB";
        }
    }

    @Test
    void importPushPullStreamUnderFaultsLosesNothingAndLeaksNothing() throws Exception {
        Assumptions.assumeTrue(!DURATION.isBlank(), "opt-in: -Dlode.soak=10m");
        Duration duration = Duration.parse("PT" + DURATION.toUpperCase());
        System.out.println("SoakTest: seed " + SEED + " (-Dlode.soak.seed=" + SEED + "), " + duration);
        Random random = new Random(SEED);
        try (S3TestServer server = S3TestServer.start()) {
            FaultInjectingProxy faults = server.faults();
            String bucket = server.createBucket();
            String url = "s3://" + bucket + "/soak";
            String endpoint = server.endpoint().toString();
            String a = folder.resolve("a").toString();
            String b = folder.resolve("b").toString();
            for (String repo : List.of(a, b)) {
                run(List.of("init", repo));
                run(List.of("remote", "add", "--repo", repo, "origin", url, "--endpoint", endpoint, "--path-style",
                        "--region", "us-east-1"));
            }
            Path csv = folder.resolve("data.csv");
            Path stream = folder.resolve("batches.arrows");
            List<String> commits = new ArrayList<>();
            Figures start = null;
            long deadline = 0;
            int faulted = 0;
            int retries = 0;
            int iteration = 0;
            for (; iteration < WARM_UP || System.nanoTime() < deadline; iteration++) {
                TestData.csv(csv, 7, 2_000 + iteration * 300);
                CliRunner.Result imported = run(List.of("import", "--repo", a, "d", csv.toString(), "-m",
                        "soak " + iteration, "--json"));
                commits.add(dev.lode.engine.json.Json.parse(imported.out().trim()).asObject().getString("commit"));

                faulted += injectSome(faults, random, "PUT");
                retries += untilSuccess(faults, List.of("push", "--repo", a));
                faulted += injectSome(faults, random, "GET");
                retries += untilSuccess(faults, List.of("pull", "--repo", b, "d@main"));
                run(List.of("stream", "--repo", b, "d@main", "--seed", Integer.toString(iteration),
                        "--batch-size", "256", "--columns", "id,label", "--out", stream.toString()));
                assertTrue(Files.size(stream) > 0);
                if (iteration % 20 == 19) {
                    run(List.of("gc", "--repo", a, "--grace", "PT0S"));
                }
                if (iteration == WARM_UP - 1) {
                    start = Figures.now();
                    deadline = System.nanoTime() + duration.toNanos();
                    System.out.println("SoakTest: after warm-up: " + start + "; threads " + Figures.threadKinds());
                }
            }
            faults.clear();
            Figures end = Figures.now();
            System.out.println("SoakTest: " + iteration + " iterations (" + commits.size() + " commits), "
                    + faulted + " faults injected, " + retries + " commands retried after a fault");
            System.out.println("SoakTest: start " + start);
            System.out.println("SoakTest: end   " + end + "; threads " + Figures.threadKinds());

            for (String repo : List.of(a, b)) {
                try (Repository repository = Repository.open(Path.of(repo))) {
                    assertTrue(repository.verify().ok(), repo + ": " + repository.verify().problems());
                    ObjectId head = repository.refs().read(RefName.branch("d", "main")).orElseThrow();
                    Set<String> history = new HashSet<>();
                    repository.history(head, Integer.MAX_VALUE).forEach(entry -> history.add(entry.id().hex()));
                    for (String commit : commits) {
                        assertTrue(history.contains(commit), repo + " lost commit " + commit);
                    }
                }
            }
            assertEquals(0, run(List.of("verify", "--repo", b)).exitCode());

            assertTrue(end.fds() <= start.fds() + 8, "file descriptors grew: " + start + " -> " + end);
            assertTrue(end.threads() <= start.threads() + 8, "threads grew: " + start + " -> " + end);
            assertTrue(end.heap() <= start.heap() + (64L << 20), "heap grew: " + start + " -> " + end);
            assertTrue(end.direct() <= start.direct() + (16L << 20), "direct buffers grew: " + start + " -> " + end);
            assertTrue(end.mapped() <= start.mapped() + (16L << 20), "mapped buffers grew: " + start + " -> " + end);
            assertTrue(end.resident() <= start.resident() + (256L << 20), "resident memory grew: " + start + " -> "
                    + end);
        }
    }

    /** Arms zero to two faults for the next requests of this method; returns how many. */
    private static int injectSome(FaultInjectingProxy faults, Random random, String method) {
        FaultInjectingProxy.Fault[] kinds = method.equals("GET")
                ? new FaultInjectingProxy.Fault[] {FaultInjectingProxy.Fault.INTERNAL_ERROR,
                FaultInjectingProxy.Fault.SLOW_DOWN, FaultInjectingProxy.Fault.RESET,
                FaultInjectingProxy.Fault.TRUNCATE_BODY}
                : new FaultInjectingProxy.Fault[] {FaultInjectingProxy.Fault.INTERNAL_ERROR,
                FaultInjectingProxy.Fault.SLOW_DOWN, FaultInjectingProxy.Fault.RESET,
                FaultInjectingProxy.Fault.DROP_RESPONSE};
        int count = random.nextInt(3);
        for (int i = 0; i < count; i++) {
            String path = random.nextBoolean() ? "/objects/" : "/refs/";
            faults.inject(method, path, kinds[random.nextInt(kinds.length)], 1 + random.nextInt(2));
        }
        return count;
    }

    /** Runs the command; if a fault made it fail, clears the faults and runs it again. Returns the retries. */
    private static int untilSuccess(FaultInjectingProxy faults, List<String> args) {
        CliRunner.Result result = CliRunner.run(args.toArray(String[]::new));
        if (result.exitCode() == 0) {
            faults.clear();
            return 0;
        }
        faults.clear();
        CliRunner.Result again = CliRunner.run(args.toArray(String[]::new));
        assertEquals(0, again.exitCode(), String.join(" ", args) + " after a fault: " + result.err() + " / "
                + again.err());
        return 1;
    }

    private static CliRunner.Result run(List<String> args) {
        CliRunner.Result result = CliRunner.run(args.toArray(String[]::new));
        assertEquals(0, result.exitCode(), String.join(" ", args) + ": " + result.err());
        return result;
    }
}
