package dev.lode.cli;

import dev.lode.engine.JavaProcesses;
import dev.lode.engine.ObjectId;
import dev.lode.engine.Ref;
import dev.lode.engine.RefName;
import dev.lode.engine.Repository;
import dev.lode.engine.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A full disk and a read-only repository, for real: the {@code lode} child runs in a private mount namespace
 * ({@code unshare -m}) where the repository is on a 2 MiB tmpfs, or bind-mounted read-only. Permission bits would
 * not stop root, but a full tmpfs and a read-only mount stop everyone. The namespace (and its mounts) vanish with
 * the child, so nothing is left mounted even if the test dies. Needs root or CAP_SYS_ADMIN, as CI has.
 */
class StorageFailuresTest {
    @TempDir
    Path folder;

    @BeforeAll
    static void mountNamespacesWork() throws Exception {
        Process probe = new ProcessBuilder("unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt")
                .redirectErrorStream(true).start();
        String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!probe.waitFor(30, TimeUnit.SECONDS) || probe.exitValue() != 0) {
            fail("these tests need 'unshare -m' and 'mount' (root or CAP_SYS_ADMIN): " + output);
        }
    }

    private record Outcome(int exit, String output) {
    }

    /** Runs {@code lode ARGS} after {@code setup} (shell) inside a private mount namespace, then {@code after}. */
    private static Outcome lodeInNamespace(String setup, String after, String... args) throws Exception {
        ProcessBuilder java = JavaProcesses.builder(JavaProcesses.QUICK_START, Main.class, List.of(args));
        StringBuilder command = new StringBuilder();
        for (String word : java.command()) {
            command.append('\'').append(word.replace("'", "'\\''")).append("' ");
        }
        String script = "set -e; " + setup + "; set +e; " + command + "; status=$?; " + after + "; exit $status";
        Process process = new ProcessBuilder("unshare", "-m", "sh", "-c", script).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(3, TimeUnit.MINUTES), "lode finished: " + output);
        return new Outcome(process.exitValue(), output);
    }

    private static String quoted(Path path) {
        return "'" + path.toString().replace("'", "'\\''") + "'";
    }

    private static Map<RefName, ObjectId> refs(Path repo) throws IOException {
        Map<RefName, ObjectId> refs = new TreeMap<>();
        try (Repository repository = Repository.open(repo)) {
            repository.refs().list((Ref ref) -> refs.put(ref.name(), ref.target()));
        }
        return refs;
    }

    private static void assertValid(Path repo) throws IOException {
        try (Repository repository = Repository.open(repo)) {
            Repository.VerifyReport report = repository.verify();
            assertTrue(report.ok(), report.problems().toString());
        }
    }

    /** A repository with one small import, without its index (a cache) to keep it small. */
    private Path smallRepository() throws Exception {
        Path repo = folder.resolve("repo");
        assertEquals(0, CliRunner.run("init", repo.toString()).exitCode());
        Path csv = TestData.csv(folder.resolve("small.csv"), 3, 2_000);
        CliRunner.Result imported = CliRunner.run("import", "--repo", repo.toString(), "d", csv.toString());
        assertEquals(0, imported.exitCode(), imported.err());
        try (var walk = Files.walk(repo.resolve(".lode/index"))) {
            for (Path path : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(path);
            }
        }
        return repo;
    }

    @Test
    void importOntoAFullDiskFailsClearlyAndLeavesTheRepositoryValid() throws Exception {
        Path repo = smallRepository();
        Map<RefName, ObjectId> before = refs(repo);
        Path big = TestData.csv(folder.resolve("big.csv"), 4, 200_000);
        Path mount = Files.createDirectories(folder.resolve("mount"));
        Path after = folder.resolve("after");
        // The repository is copied onto a 2 MiB tmpfs; the import needs several MiB. The result is copied back out
        // before the namespace (and the tmpfs) goes away.
        Outcome outcome = lodeInNamespace(
                "mount -t tmpfs -o size=2m tmpfs " + quoted(mount) + "; cp -a " + quoted(repo) + "/. "
                        + quoted(mount),
                "mkdir -p " + quoted(after) + "; cp -a " + quoted(mount) + "/. " + quoted(after),
                "import", "--repo", mount.toString(), "d", big.toString(), "-m", "too big");
        assertEquals(Main.USER_ERROR, outcome.exit(), outcome.output());
        assertTrue(outcome.output().contains("lode: no space left on device writing " + mount), outcome.output());
        assertEquals(before, refs(after), "refs unchanged");
        assertValid(after);
        assertTrue(Files.size(after.resolve(".lode/logs/d/heads/main")) > 0);
    }

    @Test
    void writesToAReadOnlyRepositoryFailClearlyAndChangeNothing() throws Exception {
        Path repo = smallRepository();
        Map<RefName, ObjectId> before = refs(repo);
        Path csv = TestData.csv(folder.resolve("more.csv"), 3, 3_000);
        String readOnly = "mount --bind " + quoted(repo) + " " + quoted(repo) + "; mount -o remount,ro,bind "
                + quoted(repo) + " " + quoted(repo);
        List<String[]> commands = new ArrayList<>();
        commands.add(new String[] {"import", "--repo", repo.toString(), "d", csv.toString()});
        commands.add(new String[] {"tag", "--repo", repo.toString(), "d", "v1"});
        commands.add(new String[] {"branch", "--repo", repo.toString(), "d", "feature"});
        for (String[] command : commands) {
            Outcome outcome = lodeInNamespace(readOnly, "true", command);
            assertEquals(Main.USER_ERROR, outcome.exit(), command[0] + ": " + outcome.output());
            assertTrue(outcome.output().contains("lode: repository is read-only: " + repo), command[0] + ": "
                    + outcome.output());
            assertEquals(before, refs(repo), command[0] + " changed no ref");
        }
        Outcome gc = lodeInNamespace("touch -d '2020-01-01' " + quoted(garbage(repo)) + "; " + readOnly, "true",
                "gc", "--repo", repo.toString(), "--grace", "PT1H");
        assertEquals(Main.USER_ERROR, gc.exit(), gc.output());
        assertTrue(gc.output().contains("lode: repository is read-only: " + repo), gc.output());
        assertEquals(before, refs(repo));
        assertValid(repo);
    }

    /** Stores an object nothing refers to and returns its file, for gc to want to delete. */
    private static Path garbage(Path repo) throws IOException {
        try (Repository repository = Repository.open(repo)) {
            ObjectId id = repository.objects().put("unreferenced".getBytes(StandardCharsets.UTF_8));
            return repo.resolve(".lode/objects").resolve(id.hex().substring(0, 2)).resolve(id.hex().substring(2));
        }
    }
}
