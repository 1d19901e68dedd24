package dev.lode.engine;

import static java.util.Objects.requireNonNull;

/** An object whose bytes do not hash to its name. Never accepted: the message names both hashes. */
public final class CorruptObjectException extends LodeException {
    private static final long serialVersionUID = 1L;

    private final ObjectId expected;
    private final String actual;

    public CorruptObjectException(String where, ObjectId expected, String actual) {
        super("Corrupt object " + requireNonNull(where, "where is null") + ": expected sha256 " + expected.hex()
                + ", actual " + actual);
        this.expected = expected;
        this.actual = actual;
    }

    public ObjectId expected() {
        return expected;
    }

    /** The SHA-256 actually read, or a description such as "truncated at 1024 of 4096 bytes". */
    public String actual() {
        return actual;
    }
}
