package dev.lode.engine;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An optional power of an {@link ObjectStore}: fetching an object into a local file faster than by streaming it,
 * for example by parallel ranged requests. {@link ObjectDatabase#copyTo} uses it when the store has it.
 */
public interface SupportsDownload {
    /**
     * Downloads the object to {@code target} and checks its bytes against the id's SHA-256 before the target
     * appears: afterwards the target is complete and verified, or (on any exception) not there at all.
     *
     * @param maxBytes the most bytes the object may have: a larger one is refused before any byte is fetched
     * @throws MissingObjectException if there is no such object
     * @throws CorruptObjectException if the bytes do not hash to the id (the message names where, expected, actual)
     * @throws LodeException if the object is larger than {@code maxBytes} (the message names where and both sizes)
     */
    void download(ObjectId id, Path target, long maxBytes) throws IOException;
}
