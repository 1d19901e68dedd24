package dev.lode.cli;

import dev.lode.engine.LodeException;
import dev.lode.engine.Repository;
import dev.lode.engine.json.Json;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/** Options every command has. */
final class CommonOptions {
    @Option(names = "--repo", paramLabel = "PATH",
            description = "Repository folder (holding .lode/); default $LODE_REPO, else the nearest .lode/ above "
                    + "the current directory.")
    Path repo;

    @Option(names = "--json", description = "Print one JSON document instead of text.")
    boolean json;

    @Option(names = {"-v", "--verbose"}, description = "Print stack traces with errors.")
    boolean verbose;

    @Option(names = {"-q", "--quiet"}, description = "No progress output.")
    boolean quiet;

    Repository openRepository() throws IOException {
        if (repo != null) {
            return Repository.open(repo);
        }
        String env = System.getenv("LODE_REPO");
        if (env != null && !env.isBlank()) {
            return Repository.open(Path.of(env));
        }
        Path found = Repository.find(Path.of("")).orElseThrow(() -> new LodeException(
                "Not inside a Lode repository (no .lode/ here or above); use --repo, set LODE_REPO, or run lode init"));
        return Repository.open(found);
    }

    /** Whether to draw progress: only on a terminal, and not with --quiet or --json. */
    boolean showProgress() {
        return !quiet && !json && System.console() != null && System.console().isTerminal();
    }

    void printJson(Json value) {
        PrintStream out = System.out;
        out.println(value);
        out.flush();
    }
}
