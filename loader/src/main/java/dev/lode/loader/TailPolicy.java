package dev.lode.loader;

import dev.lode.engine.LodeException;

import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * What happens to the last global batch of an epoch when the row count N is not a multiple of the global batch
 * size B. See docs/ORDER.md, "Tail policies".
 */
public enum TailPolicy {
    /** floor(N / B) full batches; the last N mod B positions of the epoch order are not delivered. */
    DROP,
    /** ceil(N / B) full batches; the last batch wraps around to positions 0, 1, ... of the same epoch order. */
    PAD,
    /** ceil(N / B) batches, the last one of N mod B samples split into near-equal contiguous parts per rank. */
    PARTIAL;

    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TailPolicy parse(String token) {
        requireNonNull(token, "tail policy is null");
        for (TailPolicy policy : values()) {
            if (policy.token().equals(token)) {
                return policy;
            }
        }
        throw new LodeException("Unknown tail policy '" + token + "': expected drop, pad or partial");
    }
}
