package dev.lode.engine;

import dev.lode.engine.importer.ImportOptions;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;

import static java.util.Objects.requireNonNull;

/**
 * One {@code lode import}: which sources go into which dataset branch, how to read them, and the commit message.
 * {@code threads} and {@code progress} change how the import runs, never what it produces.
 */
public record ImportRequest(String dataset, String branch, List<Path> sources, Optional<String> format,
                            ImportOptions options, String message, int threads, LongConsumer progress,
                            String command) {
    public ImportRequest {
        Names.check("dataset", dataset);
        Names.check("branch", branch);
        sources = List.copyOf(sources);
        if (sources.isEmpty()) {
            throw new LodeException("Nothing to import: no source files given");
        }
        requireNonNull(format, "format is null");
        requireNonNull(options, "options is null");
        requireNonNull(message, "message is null");
        requireNonNull(progress, "progress is null");
        requireNonNull(command, "command is null");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1");
        }
    }

    public static ImportRequest of(String dataset, List<Path> sources) {
        return new ImportRequest(dataset, Revision.DEFAULT_BRANCH, sources, Optional.empty(), ImportOptions.none(),
                "Import " + sources.size() + " file(s)", Math.max(1, Runtime.getRuntime().availableProcessors()),
                bytes -> { }, "import");
    }

    public ImportRequest withBranch(String newBranch) {
        return new ImportRequest(dataset, newBranch, sources, format, options, message, threads, progress, command);
    }

    public ImportRequest withThreads(int newThreads) {
        return new ImportRequest(dataset, branch, sources, format, options, message, newThreads, progress, command);
    }

    public ImportRequest withFormat(String newFormat) {
        return new ImportRequest(dataset, branch, sources, Optional.of(newFormat), options, message, threads,
                progress, command);
    }

    public ImportRequest withOptions(ImportOptions newOptions) {
        return new ImportRequest(dataset, branch, sources, format, newOptions, message, threads, progress, command);
    }

    public ImportRequest withMessage(String newMessage) {
        return new ImportRequest(dataset, branch, sources, format, options, newMessage, threads, progress, command);
    }

    public ImportRequest withProgress(LongConsumer newProgress, String newCommand) {
        return new ImportRequest(dataset, branch, sources, format, options, message, threads, newProgress,
                newCommand);
    }
}
