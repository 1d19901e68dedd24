package dev.lode.engine.importer;

import org.apache.arrow.memory.BufferAllocator;

import java.util.function.LongConsumer;

import static java.util.Objects.requireNonNull;

/**
 * How an import runs, as opposed to what it produces: none of this may change the output.
 *
 * @param allocator where batches are allocated
 * @param threads   how many threads an importer may use to parse (at least 1)
 * @param bytesRead told how many more source bytes were read, for progress reporting; called from any thread
 */
public record ImportContext(BufferAllocator allocator, int threads, LongConsumer bytesRead) {
    public ImportContext {
        requireNonNull(allocator, "allocator is null");
        requireNonNull(bytesRead, "bytesRead is null");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
    }
}
