package dev.lode.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where immutable, content-addressed objects live: a local folder, memory, or an S3 bucket.
 *
 * <p>A backend provides five operations; verification of content against its name happens above it (see
 * {@link ObjectDatabase}), so a backend never needs to parse or hash what it stores. Implementations are
 * thread-safe. A put is atomic: a reader sees either no object or all of its bytes, never a part.
 */
public interface ObjectStore extends AutoCloseable {

    /** Opens the object's bytes as stored (not verified), or empty if there is no such object. */
    Optional<InputStream> open(ObjectId id) throws IOException;

    /** The object's size and time of last write, or empty if absent. */
    Optional<ObjectInfo> stat(ObjectId id) throws IOException;

    /**
     * Stores the file's bytes under {@code id} unless an object of that name exists already. The caller has
     * checked that the file hashes to {@code id}; the file is left in place. An existing object is success.
     *
     * @return true if this call wrote the object, false if it was already there
     */
    boolean putIfAbsent(ObjectId id, Path file) throws IOException;

    /**
     * Marks an existing object as just used, so that garbage collection's grace period protects it while a new
     * commit that re-uses it is being written. Backends without a cheap way to do this keep the default no-op;
     * garbage collection then relies on its grace period alone.
     */
    default void touch(ObjectId id) throws IOException {
    }

    /** Calls {@code action} once for every object, in no particular order. */
    void list(Consumer<ObjectInfo> action) throws IOException;

    /** Deletes the object; returns false if it was not there. Only garbage collection deletes. */
    boolean delete(ObjectId id) throws IOException;

    default boolean contains(ObjectId id) throws IOException {
        return stat(id).isPresent();
    }

    /** A description for messages, such as the folder or s3://bucket/prefix. */
    String describe();

    @Override
    default void close() throws IOException {
    }
}
