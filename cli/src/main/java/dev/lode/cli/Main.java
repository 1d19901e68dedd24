package dev.lode.cli;

import dev.lode.engine.LodeException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * The {@code lode} command. Exit codes: 0 success, 1 user error (one line on stderr), 2 internal error (stack
 * trace only with --verbose).
 */
@Command(name = "lode", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
        versionProvider = Main.Version.class,
        description = {"Version datasets, import legacy formats once, and replay batches deterministically.", "",
                "The repository is --repo PATH, else $LODE_REPO, else the nearest .lode/ folder above the "
                        + "current directory."},
        subcommands = {InitCommand.class, ImportCommand.class, LogCommand.class, ShowCommand.class,
                TagCommand.class, BranchCommand.class, DiffCommand.class, ExportCommand.class, VerifyCommand.class,
                GcCommand.class, RemoteCommand.class, PushCommand.class, PullCommand.class,
                CloneCommand.class, OrderCommand.class, StreamCommand.class, DemoCommand.class, CommandLine.HelpCommand.class,
                S3ServerCommand.class},
        footer = {"", "Exit codes: 0 success, 1 user error, 2 internal error.",
                "Every command accepts --json for a stable machine-readable answer (see docs/CLI.md)."})
public final class Main implements Runnable {
    public static final int USER_ERROR = 1;
    public static final int INTERNAL_ERROR = 2;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "Missing command; see lode --help");
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code; used by tests and the demo too. */
    public static int run(String... args) {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setExecutionExceptionHandler((exception, line, parseResult) -> {
            boolean verbose = parseResult.hasMatchedOption("--verbose")
                    || parseResult.subcommands().stream().anyMatch(sub -> sub.hasMatchedOption("--verbose"));
            return report(exception, verbose, line.getErr());
        });
        commandLine.setParameterExceptionHandler((exception, args1) -> {
            exception.getCommandLine().getErr().println("lode: " + exception.getMessage());
            exception.getCommandLine().getErr().println("Run '" + exception.getCommandLine().getCommandSpec()
                    .qualifiedName() + " --help' for usage.");
            return USER_ERROR;
        });
        return commandLine.execute(args);
    }

    static int report(Exception exception, boolean verbose, PrintWriter err) {
        Throwable cause = exception;
        while (cause instanceof java.io.UncheckedIOException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof LodeException) {
            err.println("lode: " + oneLine(cause.getMessage()));
            if (verbose) {
                cause.printStackTrace(err);
            }
            err.flush();
            return USER_ERROR;
        }
        if (cause instanceof java.nio.file.NoSuchFileException missing) {
            err.println("lode: no such file: " + missing.getFile());
            err.flush();
            return USER_ERROR;
        }
        if (cause instanceof java.io.IOException io) {
            err.println("lode: I/O error: " + oneLine(String.valueOf(io.getMessage())));
            if (verbose) {
                io.printStackTrace(err);
            }
            err.flush();
            return INTERNAL_ERROR;
        }
        err.println("lode: internal error: " + cause.getClass().getSimpleName() + ": "
                + oneLine(String.valueOf(cause.getMessage())) + (verbose ? "" : " (run with --verbose for details)"));
        if (verbose) {
            StringWriter trace = new StringWriter();
            cause.printStackTrace(new PrintWriter(trace));
            err.print(trace);
        }
        err.flush();
        return INTERNAL_ERROR;
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.replace('\n', ' ').replace('\r', ' ');
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"lode " + dev.lode.engine.Repository.VERSION + " (repository format 1)"};
        }
    }
}
