package dev.lode.engine.json;

/** Malformed JSON text, or a value of the wrong shape; the message says what and where. */
public final class JsonException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JsonException(String message) {
        super(message);
    }
}
