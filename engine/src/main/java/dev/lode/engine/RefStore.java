package dev.lode.engine;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where refs live. The only way to change a ref is {@link #compareAndSet}: there is no blind write. Implementations
 * are thread-safe and, for the local folder and S3, safe across processes and machines.
 */
public interface RefStore extends AutoCloseable {

    /** The commit the ref points to, or empty if there is no such ref. */
    Optional<ObjectId> read(RefName name) throws IOException;

    /**
     * Moves the ref from {@code expected} to {@code update} atomically and appends {@code entry} to its log.
     * A null {@code expected} means the ref must not exist yet; a null {@code update} deletes it.
     *
     * @return {@link CasResult#CONFLICT} when the ref's current value is not {@code expected}
     * @throws OutcomeUnknownException when the request was sent but its outcome could not be learned
     */
    CasResult compareAndSet(RefName name, ObjectId expected, ObjectId update, RefLogEntry entry) throws IOException;

    /** Calls {@code action} for every ref that exists. */
    void list(Consumer<Ref> action) throws IOException;

    /** The ref's log, oldest entry first; empty if it was never moved. Logs outlive deleted refs. */
    List<RefLogEntry> log(RefName name) throws IOException;

    /** Calls {@code action} for every ref that has a log, deleted refs included. */
    void listLogged(Consumer<RefName> action) throws IOException;

    /** A description for messages, such as the folder or s3://bucket/prefix. */
    String describe();

    @Override
    default void close() throws IOException {
    }
}
