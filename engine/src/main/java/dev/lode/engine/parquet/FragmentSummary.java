package dev.lode.engine.parquet;

import dev.lode.engine.json.Json;

import static java.util.Objects.requireNonNull;

/**
 * What a finished fragment holds: its row count and, per top-level column, canonical JSON statistics
 * {@code {"<column>": {"nulls": n, "min": v, "max": v}}} (see {@link FragmentWriter#finish()}).
 */
public record FragmentSummary(long rows, Json statistics) {
    public FragmentSummary {
        if (rows < 0) {
            throw new IllegalArgumentException("rows must not be negative, got " + rows);
        }
        requireNonNull(statistics, "statistics is null");
    }
}
