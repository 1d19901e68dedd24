package dev.lode.engine;

import java.io.IOException;

/**
 * A write was sent but no answer came back (a time-out or a reset after the request body went out): it may or may
 * not have landed. Callers re-read to learn the outcome and never clean up after it.
 */
public final class OutcomeUnknownException extends IOException {
    private static final long serialVersionUID = 1L;

    public OutcomeUnknownException(String message, Throwable cause) {
        super(message, cause);
    }
}
