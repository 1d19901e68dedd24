package dev.lode.engine;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test hook for the crash harness: with {@code LODE_CRASH_AT=k} in the environment, the process halts (no
 * shutdown hooks, no buffers flushed: what a SIGKILL leaves) at the k-th crash point it reaches. Crash points sit
 * right before and right after every durable step of the local stores (a file written and fsynced, a hard link or
 * rename into place, a delete, a ref compare-and-set) and of the S3 stores (an object or ref-log PUT, a multipart
 * completion, a delete, a ref compare-and-set). One counter numbers them all, so k names one point of the process
 * whichever store it is in. Public only for the S3 backend; not an API. With the variable unset, {@link #reached} is a test of a
 * constant that the JIT folds away. With it set, the number of points reached is printed at exit, so a harness can
 * learn how many points a command has.
 */
public final class CrashPoints {
    /** Exit status of a halted process, as a shell reports a SIGKILL. */
    static final int HALT_STATUS = 137;
    private static final int AT = parse(System.getenv("LODE_CRASH_AT"));
    private static final AtomicInteger REACHED = new AtomicInteger();

    static {
        if (AT > 0) {
            Runtime.getRuntime().addShutdownHook(new Thread(() ->
                    System.err.println("lode-crash-points: " + REACHED.get())));
        }
    }

    private CrashPoints() {
    }

    /** Counts a crash point; halts the process if it is the chosen one. */
    public static void reached(String event, Object where) {
        if (AT > 0 && REACHED.incrementAndGet() == AT) {
            System.err.println("lode-crash-point " + AT + ": " + event + " " + where);
            System.err.flush();
            Runtime.getRuntime().halt(HALT_STATUS);
        }
    }

    private static int parse(String value) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("LODE_CRASH_AT must be a positive number, not '" + value + "'");
        }
    }
}
