package dev.lode.loader;

import dev.lode.engine.LodeException;

import java.util.Locale;

import static java.util.Objects.requireNonNull;

/** How an epoch orders the rows of a dataset. The exact functions are specified in docs/ORDER.md. */
public enum OrderMode {
    /** A keyed bijection over all rows: uniform shuffling, for data held in local memory. */
    GLOBAL,
    /** Row groups permuted, then rows shuffled within windows of consecutive row groups: local reads. */
    BLOCK,
    /** Rows in dataset order, every epoch. */
    SEQUENTIAL;

    /** Where the rows of a dataset are read from, which decides the default mode. */
    public enum Residence {
        LOCAL_MEMORY,
        STORAGE
    }

    /** {@link #GLOBAL} for data in local memory, {@link #BLOCK} otherwise. */
    public static OrderMode defaultFor(Residence residence) {
        requireNonNull(residence, "residence is null");
        return residence == Residence.LOCAL_MEMORY ? GLOBAL : BLOCK;
    }

    /** The lowercase name used in loader state and on the command line. */
    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static OrderMode parse(String token) {
        requireNonNull(token, "order mode is null");
        for (OrderMode mode : values()) {
            if (mode.token().equals(token)) {
                return mode;
            }
        }
        throw new LodeException("Unknown order mode '" + token + "': expected global, block or sequential");
    }
}
