package dev.lode.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real OS processes racing on one branch of one local repository. */
class ConcurrentProcessesTest {
    @TempDir
    Path folder;

    @Test
    void twoProcessesMovingOneBranchLoseNoUpdate() throws Exception {
        Repository.init(folder).close();
        int each = 40;
        Process a = JavaProcesses.start(CommitWorker.class, folder.toString(), "a", Integer.toString(each));
        Process b = JavaProcesses.start(CommitWorker.class, folder.toString(), "b", Integer.toString(each));
        assertTrue(a.waitFor(120, TimeUnit.SECONDS) && b.waitFor(120, TimeUnit.SECONDS), "workers finished");
        assertEquals(0, a.exitValue());
        assertEquals(0, b.exitValue());
        try (Repository repository = Repository.open(folder)) {
            ObjectId head = repository.refs().read(RefName.branch("shared", "main")).orElseThrow();
            List<Repository.LogEntry> history = repository.history(head, Integer.MAX_VALUE);
            assertEquals(2 * each, history.size(), "every commit of both processes is in the history");
            Set<String> messages = new HashSet<>();
            history.forEach(entry -> messages.add(entry.commit().message()));
            for (int i = 0; i < each; i++) {
                assertTrue(messages.contains("commit a-" + i) && messages.contains("commit b-" + i), "commit " + i);
            }
            List<RefLogEntry> log = repository.refs().log(RefName.branch("shared", "main"));
            assertEquals(2 * each, log.size());
            for (int i = 1; i < log.size(); i++) {
                assertEquals(log.get(i - 1).newTarget(), log.get(i).oldTarget(),
                        "exactly one compare-and-set won from each value (log entry " + i + ")");
            }
            assertTrue(repository.verify().ok());
        }
    }
}
