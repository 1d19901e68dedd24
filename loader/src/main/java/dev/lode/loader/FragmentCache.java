package dev.lode.loader;

import dev.lode.engine.LodeException;
import dev.lode.engine.ObjectId;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Decoded fragments kept off-heap, keyed by fragment object, within a byte budget. A fragment is decoded once, by
 * the first thread that needs it (the others wait for it), and stays while it fits; when the cache is over budget it
 * evicts, among fragments nobody has pinned, the one whose next use ({@link FragmentUsage}) is farthest away. Pinned
 * fragments are never evicted, so the cache may exceed its budget by what concurrent steps need at once. What is
 * cached changes only speed, never a batch's contents. Thread-safe.
 */
final class FragmentCache implements AutoCloseable {
    /** Decodes one fragment. */
    interface Decoder {
        DecodedFragment decode(ObjectId object, long rows) throws IOException;
    }

    private static final class Entry {
        final ObjectId object;
        final List<Integer> rowGroups;
        final CompletableFuture<DecodedFragment> decoded = new CompletableFuture<>();
        DecodedFragment value; // set once decoded, under the cache lock
        int pins;

        Entry(ObjectId object, List<Integer> rowGroups) {
            this.object = object;
            this.rowGroups = rowGroups;
        }
    }

    private final ObjectId[] objects;
    private final long[] rows;
    private final Map<ObjectId, List<Integer>> rowGroupsOf = new HashMap<>();
    private final Decoder decoder;
    private final FragmentUsage usage;
    private final long budgetBytes;
    private final Map<ObjectId, Entry> entries = new HashMap<>();
    private long cachedBytes;
    private long decodes;
    private boolean closed;

    /**
     * @param objects the fragment object of each row group of the layout
     * @param rows    the rows of each row group
     */
    FragmentCache(ObjectId[] objects, long[] rows, Decoder decoder, FragmentUsage usage, long budgetBytes) {
        this.objects = objects.clone();
        this.rows = rows.clone();
        this.decoder = decoder;
        this.usage = usage;
        this.budgetBytes = budgetBytes;
        for (int g = 0; g < objects.length; g++) {
            rowGroupsOf.computeIfAbsent(objects[g], id -> new ArrayList<>()).add(g);
        }
    }

    /**
     * The decoded row group, pinned until {@link #unpin}; decodes it when absent.
     *
     * @param globalStep the step that reads it, from which next uses are measured
     */
    DecodedFragment pin(int rowGroup, long globalStep) throws IOException {
        ObjectId object = objects[rowGroup];
        Entry entry;
        boolean decodeHere = false;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("The fragment cache is closed");
            }
            entry = entries.get(object);
            if (entry == null) {
                entry = new Entry(object, rowGroupsOf.get(object));
                entries.put(object, entry);
                decodeHere = true;
            }
            entry.pins++;
        }
        if (decodeHere) {
            DecodedFragment value;
            try {
                value = decoder.decode(object, rows[rowGroup]);
            } catch (IOException | RuntimeException | Error failure) {
                synchronized (this) {
                    entries.remove(object);
                }
                entry.decoded.completeExceptionally(failure);
                throw failure;
            }
            synchronized (this) {
                if (closed) {
                    value.free();
                    throw new IllegalStateException("The fragment cache is closed");
                }
                entry.value = value;
                cachedBytes += value.bytes();
                decodes++;
                evict(globalStep);
            }
            entry.decoded.complete(value);
            return value;
        }
        try {
            return entry.decoded.join();
        } catch (CompletionException failure) {
            Throwable cause = failure.getCause();
            if (cause instanceof IOException io) {
                throw new IOException("Cannot decode fragment " + object + ": " + io.getMessage(), io);
            }
            if (cause instanceof LodeException lode) {
                throw new LodeException(lode.getMessage(), lode);
            }
            throw new UncheckedIOException(new IOException("Cannot decode fragment " + object, cause));
        }
    }

    /** Releases a pin taken by {@link #pin}; the fragment may then be evicted. */
    synchronized void unpin(DecodedFragment fragment, long globalStep) {
        Entry entry = entries.get(fragment.object());
        if (entry == null || entry.value != fragment || entry.pins == 0) {
            throw new IllegalStateException("Fragment " + fragment.object() + " is not pinned");
        }
        entry.pins--;
        evict(globalStep);
    }

    private void evict(long globalStep) {
        while (cachedBytes > budgetBytes) {
            Entry victim = null;
            long victimNextUse = -1;
            for (Entry entry : entries.values()) {
                if (entry.pins > 0 || entry.value == null) {
                    continue;
                }
                long nextUse = FragmentUsage.NEVER;
                for (int rowGroup : entry.rowGroups) {
                    nextUse = Math.min(nextUse, usage.nextUseAfter(rowGroup, globalStep));
                }
                // Ties (fragments never used again) go to the larger row group, so eviction does not depend on
                // hash map order.
                if (victim == null || nextUse > victimNextUse || (nextUse == victimNextUse
                        && entry.rowGroups.getFirst() > victim.rowGroups.getFirst())) {
                    victim = entry;
                    victimNextUse = nextUse;
                }
            }
            if (victim == null) {
                return;
            }
            entries.remove(victim.object);
            cachedBytes -= victim.value.bytes();
            victim.value.free();
        }
    }

    /** Off-heap bytes of the decoded fragments held now. */
    synchronized long cachedBytes() {
        return cachedBytes;
    }

    /** Fragments decoded so far, counting each re-decode after an eviction. */
    synchronized long decodes() {
        return decodes;
    }

    /** Frees every fragment; callers must hold no pins. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        for (Entry entry : entries.values()) {
            if (entry.value != null) {
                entry.value.free();
            }
        }
        entries.clear();
        cachedBytes = 0;
    }
}
