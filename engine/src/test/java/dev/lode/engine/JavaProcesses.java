package dev.lode.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts a class's {@code main} in a child JVM on this test's class path, with the flags Arrow, RocksDB and the
 * native libraries need on JDK 25. The one launcher every multi-process test uses (engine, S3 and command line).
 */
public final class JavaProcesses {
    /** The flags of surefire's argLine and ./lode (Arrow, RocksDB, zstd on JDK 25). */
    public static final List<String> FLAGS = List.of("--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow");

    /** For many short-lived children on few cores: start fast rather than run fast. */
    public static final List<String> QUICK_START = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "-Xshare:auto", "-Xmx256m");

    private JavaProcesses() {
    }

    /** A builder for {@code java FLAGS extraFlags -cp CLASSPATH main args}; output is inherited unless changed. */
    public static ProcessBuilder builder(List<String> extraFlags, Class<?> main, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(FLAGS);
        command.addAll(extraFlags);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(args);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT);
    }

    /** Starts {@code main} with the arguments, output inherited. */
    public static Process start(Class<?> main, String... args) throws IOException {
        return builder(List.of(), main, List.of(args)).start();
    }

    /** Starts {@code main} with extra environment variables, output inherited. */
    public static Process start(Map<String, String> environment, Class<?> main, String... args) throws IOException {
        ProcessBuilder builder = builder(List.of(), main, List.of(args));
        builder.environment().putAll(environment);
        return builder.start();
    }

    /** The java executable of this JVM, for tests that wrap the command (unshare, setpriv). */
    public static Path javaExecutable() {
        return Path.of(ProcessHandle.current().info().command().orElse("java"));
    }
}
