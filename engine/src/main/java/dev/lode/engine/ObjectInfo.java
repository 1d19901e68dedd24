package dev.lode.engine;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/** What a store knows about one object without reading it. */
public record ObjectInfo(ObjectId id, long size, Instant lastModified) {
    public ObjectInfo {
        requireNonNull(id, "id is null");
        requireNonNull(lastModified, "lastModified is null");
        if (size < 0) {
            throw new IllegalArgumentException("size is negative: " + size);
        }
    }
}
