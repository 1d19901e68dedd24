package dev.lode.engine.importer;

import dev.lode.engine.LodeException;

import java.nio.file.Path;

/**
 * Bad input: "Cannot import data/train.csv: line 1042: 7 fields, expected 9". Names the file, where in it
 * (a line, a byte offset, a key; may be null when the whole file is at fault) and why.
 */
public final class ImportException extends LodeException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String location;
    private final String reason;

    public ImportException(Path file, String location, String reason) {
        this(file, location, reason, null);
    }

    public ImportException(Path file, String location, String reason, Throwable cause) {
        super("Cannot import " + file + (location == null ? "" : ": " + location) + ": " + reason, cause);
        this.file = file;
        this.location = location;
        this.reason = reason;
    }

    public Path file() {
        return file;
    }

    public String location() {
        return location;
    }

    public String reason() {
        return reason;
    }
}
