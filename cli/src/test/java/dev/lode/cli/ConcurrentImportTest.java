package dev.lode.cli;

import dev.lode.engine.JavaProcesses;
import dev.lode.engine.ObjectId;
import dev.lode.engine.RefLogEntry;
import dev.lode.engine.RefName;
import dev.lode.engine.Repository;
import dev.lode.engine.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two {@code lode import} processes into the same branch of one local repository at once. The branch moves only by
 * compare-and-set under the repository's OS lock, and the loser of a race rebuilds its commit on the new head, so
 * both commits land, one on top of the other, and the ref log is one unbroken chain (docs/FORMAT.md §6).
 */
class ConcurrentImportTest {
    @TempDir
    Path folder;

    @Test
    void twoImportsIntoOneBranchAtOnceBothLand() throws Exception {
        Path repo = folder.resolve("repo");
        assertEquals(0, CliRunner.run("init", repo.toString()).exitCode());
        List<Path> sources = List.of(TestData.csv(folder.resolve("a.csv"), 1, 30_000),
                TestData.csv(folder.resolve("b.csv"), 2, 30_000));
        List<Process> processes = new ArrayList<>();
        for (Path source : sources) {
            processes.add(JavaProcesses.builder(JavaProcesses.QUICK_START, Main.class, List.of("import", "--repo",
                            repo.toString(), "d", source.toString(), "-m", "import " + source.getFileName()))
                    .redirectOutput(ProcessBuilder.Redirect.PIPE).start());
        }
        for (Process process : processes) {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(3, TimeUnit.MINUTES), output);
            assertEquals(0, process.exitValue(), output);
        }
        try (Repository repository = Repository.open(repo)) {
            RefName main = RefName.branch("d", "main");
            ObjectId head = repository.refs().read(main).orElseThrow();
            List<Repository.LogEntry> history = repository.history(head, 10);
            Set<String> messages = new HashSet<>();
            history.forEach(entry -> messages.add(entry.commit().message()));
            assertEquals(Set.of("import a.csv", "import b.csv"), messages, "both commits are in the history");
            assertEquals(2, history.size());
            List<RefLogEntry> log = repository.refs().log(main);
            assertEquals(2, log.size());
            assertTrue(log.getFirst().oldTarget().isEmpty());
            assertEquals(log.getFirst().newTarget(), log.get(1).oldTarget(), "one compare-and-set from each value");
            assertTrue(repository.verify().ok(), repository.verify().problems().toString());
        }
    }
}
