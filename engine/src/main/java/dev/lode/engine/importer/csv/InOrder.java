package dev.lode.engine.importer.csv;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Runs work over the chunks of a splitter on a number of threads and hands the results to a sink strictly in chunk
 * order, so the outcome (results and the first error in file order) never depends on the thread count. At most
 * twice as many chunks as threads are in flight, which bounds memory.
 */
final class InOrder {
    private InOrder() {
    }

    @FunctionalInterface
    interface Work<R> {
        R apply(Chunk chunk) throws IOException;
    }

    @FunctionalInterface
    interface Sink<R> {
        /** Takes ownership of the result, also when it throws. */
        void accept(R result) throws IOException;
    }

    /**
     * @param first   a chunk already taken from the splitter to process before the rest, or null
     * @param discard releases a result that will not reach the sink (after a failure)
     */
    static <R> void run(Chunk first, RecordSplitter splitter, int threads, Work<R> work, Sink<R> sink,
                        Consumer<R> discard) throws IOException {
        if (threads == 1) {
            Chunk chunk = first != null ? first : splitter.next();
            while (chunk != null) {
                if (chunk.error() != null) {
                    throw chunk.error();
                }
                sink.accept(work.apply(chunk));
                chunk = splitter.next();
            }
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, task -> {
            Thread thread = new Thread(task, "lode-csv-parse");
            thread.setDaemon(true);
            return thread;
        });
        ArrayDeque<Future<R>> pending = new ArrayDeque<>();
        try {
            Chunk chunk = first != null ? first : splitter.next();
            while (chunk != null) {
                Chunk submitted = chunk;
                pending.add(pool.submit(() -> apply(work, submitted)));
                if (pending.size() >= 2 * threads) {
                    sink.accept(await(pending.poll()));
                }
                chunk = submitted.error() != null ? null : splitter.next();
            }
            while (!pending.isEmpty()) {
                sink.accept(await(pending.poll()));
            }
        } finally {
            for (Future<R> future : pending) {
                try {
                    discard.accept(future.get());
                } catch (ExecutionException | InterruptedException | RuntimeException ignored) {
                    // Already failing with the first error in file order; later ones add nothing.
                }
            }
            pool.shutdown();
        }
    }

    private static <R> R apply(Work<R> work, Chunk chunk) {
        if (chunk.error() != null) {
            throw chunk.error();
        }
        try {
            return work.apply(chunk);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <R> R await(Future<R> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while parsing");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UncheckedIOException unchecked) {
                throw unchecked.getCause();
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IOException(cause);
        }
    }
}
