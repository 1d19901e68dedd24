package dev.lode.engine;

import java.nio.file.Path;

/** Run as a separate OS process by {@link ConcurrentProcessesTest}: makes N commits on one branch. */
public final class CommitWorker {
    private CommitWorker() {
    }

    public static void main(String[] args) throws Exception {
        Path repo = Path.of(args[0]);
        String worker = args[1];
        int commits = Integer.parseInt(args[2]);
        try (Repository repository = Repository.open(repo)) {
            for (int i = 0; i < commits; i++) {
                RepositoryTest.commitFragments(repository, "shared", "main", worker + "-" + i);
            }
        }
    }
}
