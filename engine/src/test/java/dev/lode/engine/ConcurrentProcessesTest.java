package dev.lode.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
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

    static Process startJava(Class<?> main, String... args) throws Exception {
        return new ProcessBuilder(javaCommand(List.of(), main, args)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** The command line that runs {@code main} in a new JVM on this test's class path, with extra JVM options. */
    static List<String> javaCommand(List<String> jvmOptions, Class<?> main, String... args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("--sun-misc-unsafe-memory-access=allow");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        return command;
    }

    @Test
    void twoProcessesMovingOneBranchLoseNoUpdate() throws Exception {
        Repository.init(folder).close();
        int each = 40;
        Process a = startJava(CommitWorker.class, folder.toString(), "a", Integer.toString(each));
        Process b = startJava(CommitWorker.class, folder.toString(), "b", Integer.toString(each));
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
