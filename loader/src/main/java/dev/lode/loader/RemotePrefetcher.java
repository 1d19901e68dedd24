package dev.lode.loader;

import dev.lode.engine.ObjectId;

import java.io.IOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Fetches ahead the fragments a loader reading from a remote will need next. From the step the consumer is at, it
 * walks the rank's future steps (the order is known) and takes the first {@code lookAhead} distinct fragments in
 * order of first use; those neither local nor in the disk cache it fetches, verifies, decodes and stores, nearest
 * first, then waits for the consumer to move on. The window counts cached fragments too, so it never runs more than
 * lookAhead fragments ahead. A fragment that fails to prefetch is left to the loader's own read, which reports the
 * error. One daemon thread.
 */
final class RemotePrefetcher implements AutoCloseable {
    private static final int MAX_STEPS_SCANNED = 4096;

    private final FragmentProvider provider;
    private final FragmentUsage usage;
    private final ObjectId[] objects;
    private final long[] rows;
    private final int lookAhead;
    private final long endGlobalStep;
    private final LongSupplier consumerStep;
    private final Set<ObjectId> failed = new HashSet<>();
    private final Thread thread;
    private boolean closed; // guarded by this
    private long generation; // guarded by this: bumped whenever the consumer moves

    RemotePrefetcher(FragmentProvider provider, FragmentUsage usage, ObjectId[] objects, long[] rows, int lookAhead,
                     long endGlobalStep, LongSupplier consumerStep) {
        this.provider = provider;
        this.usage = usage;
        this.objects = objects.clone();
        this.rows = rows.clone();
        this.lookAhead = lookAhead;
        this.endGlobalStep = endGlobalStep;
        this.consumerStep = consumerStep;
        this.thread = new Thread(this::run, "lode-loader-prefetch");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** The consumer moved on: look at the window again. */
    synchronized void advanced() {
        generation++;
        notifyAll();
    }

    private void run() {
        while (true) {
            long seen;
            synchronized (this) {
                if (closed) {
                    return;
                }
                seen = generation;
            }
            boolean fetched = false;
            try {
                for (Map.Entry<ObjectId, Integer> next : window(consumerStep.getAsLong()).entrySet()) {
                    synchronized (this) {
                        if (closed) {
                            return;
                        }
                    }
                    ObjectId object = next.getKey();
                    if (!failed.contains(object) && provider.needsFetch(object)) {
                        try {
                            provider.prefetch(object, rows[next.getValue()]);
                            fetched = true;
                        } catch (IOException | RuntimeException failure) {
                            failed.add(object);
                        }
                    }
                }
            } catch (IOException | RuntimeException failure) {
                // The window could not be computed or checked now; the loader reads on demand meanwhile.
            }
            if (!fetched) {
                synchronized (this) {
                    while (!closed && generation == seen) {
                        try {
                            wait();
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            }
        }
    }

    /** The first lookAhead distinct fragments read from globalStep on, nearest first, with a row group of each. */
    private Map<ObjectId, Integer> window(long globalStep) {
        Map<ObjectId, Integer> window = new LinkedHashMap<>();
        long end = Math.min(endGlobalStep, globalStep + MAX_STEPS_SCANNED);
        for (long step = globalStep; step < end && window.size() < lookAhead; step++) {
            for (int group : usage.rowGroupsAt(step)) {
                if (window.size() < lookAhead) {
                    window.putIfAbsent(objects[group], group);
                }
            }
        }
        return window;
    }

    /** Stops the thread, waiting for a fetch in progress to finish. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
