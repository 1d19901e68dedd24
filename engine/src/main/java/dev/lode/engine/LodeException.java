package dev.lode.engine;

/**
 * A failure that Lode explains to its user: bad input, an unknown revision, a rejected name, a corrupt object.
 * The message says what failed, where, and why; the command line prints it on one line and exits 1. Any other
 * exception is an internal error (exit 2).
 */
public class LodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LodeException(String message) {
        super(message);
    }

    public LodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
