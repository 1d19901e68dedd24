package dev.lode.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Regression tests for what the crash harness (cli CrashHarnessTest) found, each replayed with LODE_CRASH_AT. */
class CrashPointsTest {
    @TempDir
    Path folder;

    /** Creates branch {@code feature} at main's head; run as a child process that halts at a crash point. */
    public static final class CreateBranch {
        private CreateBranch() {
        }

        public static void main(String[] args) throws Exception {
            try (Repository repository = Repository.open(Path.of(args[0]))) {
                ObjectId head = repository.refs().read(RefName.branch("d", "main")).orElseThrow();
                repository.createBranch(RefName.branch("d", "feature"), head, "test", "branch");
            }
        }
    }

    /**
     * Found by the harness: a crash after the next ref file was written but before it was renamed over the ref left
     * {@code refs/d/heads/feature.new}, which listing read as a branch named "feature.new". The file is now named
     * {@code feature.lock}, and no valid name ends in ".lock".
     */
    @Test
    void aCrashBeforeTheRefRenameLeavesNoGhostRef() throws Exception {
        ObjectId main;
        try (Repository repository = Repository.init(folder)) {
            main = RepositoryTest.commitFragments(repository, "d", "main", "a");
        }
        // Points of a ref compare-and-set: 1 before the log append, 2 after it, 3 before the fsync, 4 before rename.
        Process process = JavaProcesses.builder(List.of(), CreateBranch.class, List.of(folder.toString()))
                .redirectOutput(ProcessBuilder.Redirect.PIPE).start();
        process.getOutputStream().close();
        String output;
        try (var in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);

        try (Repository repository = Repository.init(folder.resolve("second"))) {
            RepositoryTest.commitFragments(repository, "d", "main", "a");
        }
        Path second = folder.resolve("second");
        ProcessBuilder halting = JavaProcesses.builder(List.of(), CreateBranch.class, List.of(second.toString()))
                .redirectOutput(ProcessBuilder.Redirect.PIPE);
        halting.environment().putAll(Map.of("LODE_CRASH_AT", "4"));
        Process halted = halting.start();
        String haltOutput;
        try (var in = halted.getInputStream()) {
            haltOutput = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(halted.waitFor(60, TimeUnit.SECONDS));
        assertEquals(137, halted.exitValue(), haltOutput);
        assertTrue(haltOutput.contains("lode-crash-point 4: before ref rename"), haltOutput);

        try (Repository repository = Repository.open(second)) {
            List<Ref> refs = new ArrayList<>();
            repository.refs().list(refs::add);
            assertEquals(List.of(RefName.branch("d", "main")), refs.stream().map(Ref::name).toList(),
                    "only main: the half-made branch is not visible under any name");
            assertTrue(repository.verify().ok(), repository.verify().problems().toString());
            ObjectId head = repository.refs().read(RefName.branch("d", "main")).orElseThrow();
            repository.createBranch(RefName.branch("d", "feature"), head, "test", "branch again");
            assertEquals(head, repository.refs().read(RefName.branch("d", "feature")).orElseThrow());
        }
        try (Repository repository = Repository.open(folder)) {
            assertEquals(main, repository.refs().read(RefName.branch("d", "feature")).orElseThrow(),
                    "without LODE_CRASH_AT the same child completes");
        }
    }

    /**
     * Found while adding disk-full handling: a log line cut short (by a crash or a full disk) made the next entry
     * append onto it, so the reader skipped both. Now an append first ends a torn line.
     */
    @Test
    void anEntryAppendedAfterATornLogLineIsKept() throws Exception {
        try (Repository repository = Repository.init(folder)) {
            RepositoryTest.commitFragments(repository, "d", "main", "a");
            java.nio.file.Files.writeString(folder.resolve(".lode/logs/d/heads/main"), "{\"command\":\"imp",
                    java.nio.file.StandardOpenOption.APPEND);
            ObjectId second = RepositoryTest.commitFragments(repository, "d", "main", "a", "b");
            List<RefLogEntry> log = repository.refs().log(RefName.branch("d", "main"));
            assertEquals(2, log.size(), "the first entry and the one after the torn line: " + log);
            assertEquals(java.util.Optional.of(second), log.getLast().newTarget());
        }
    }

    /**
     * Found by the harness: {@code lode branch} killed after the ref rename had created the branch, then run again,
     * failed with "already exists". Creating a branch that already points at the same commit now succeeds, as
     * re-creating a tag always did; a branch pointing elsewhere is still an error.
     */
    @Test
    void creatingABranchAgainAtTheSameCommitSucceeds() throws Exception {
        try (Repository repository = Repository.init(folder)) {
            ObjectId first = RepositoryTest.commitFragments(repository, "d", "main", "a");
            RefName feature = RefName.branch("d", "feature");
            repository.createBranch(feature, first, "test", "branch");
            repository.createBranch(feature, first, "test", "branch, run again");
            assertEquals(first, repository.refs().read(feature).orElseThrow());
            ObjectId second = RepositoryTest.commitFragments(repository, "d", "main", "a", "b");
            LodeException elsewhere = org.junit.jupiter.api.Assertions.assertThrows(LodeException.class,
                    () -> repository.createBranch(feature, second, "test", "branch"));
            assertEquals("Branch feature of dataset d already exists", elsewhere.getMessage());
        }
    }
}
