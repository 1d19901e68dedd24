package dev.lode.loader;

import dev.lode.engine.LodeException;

import java.util.Objects;

/** A saved loader state that cannot continue under the current plan because a field that decides the order differs. */
public final class ResumeMismatchException extends LodeException {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final String saved;
    private final String current;

    ResumeMismatchException(String field, String saved, String current) {
        super("Cannot resume: " + field + " differs, saved state has " + saved + ", current plan has " + current);
        this.field = field;
        this.saved = saved;
        this.current = current;
    }

    static void check(String field, Object saved, Object current) {
        if (!Objects.equals(saved, current)) {
            throw new ResumeMismatchException(field, String.valueOf(saved), String.valueOf(current));
        }
    }

    /** The loader-state field name, as in its JSON. */
    public String field() {
        return field;
    }

    public String savedValue() {
        return saved;
    }

    public String currentValue() {
        return current;
    }
}
