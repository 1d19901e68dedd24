package dev.lode.loader;

import dev.lode.engine.ObjectId;
import dev.lode.engine.Repository;
import org.apache.arrow.memory.BufferAllocator;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Produces a loader's decoded fragments: from the {@link DiskCache} when it holds them; else by reading the
 * fragment's Parquet from the local repository, or from the remote when the object is not local (verified against
 * its SHA-256 either way, before it is decoded), decoding it and storing the result in the disk cache, from which
 * it is then mapped. One thread at a time produces a given fragment (the loader's workers and the prefetcher share
 * that work), so a fragment is fetched and decoded once while the cache can keep it. Thread-safe.
 */
final class FragmentProvider {
    private final Repository local;
    private final Repository remote;
    private final DiskCache disk;
    private final List<SlabColumn> columns;
    private final BufferAllocator allocator;
    private final Map<ObjectId, CompletableFuture<Void>> producing = new HashMap<>(); // guarded by itself
    private final AtomicLong parquetDecodes = new AtomicLong();
    private final AtomicLong remoteFetches = new AtomicLong();
    private final AtomicLong cacheWriteFailures = new AtomicLong();

    /**
     * @param remote where fragments missing locally are read from, or null
     * @param disk   the disk cache, or null to decode into memory every time
     */
    FragmentProvider(Repository local, Repository remote, DiskCache disk, List<SlabColumn> columns,
                     BufferAllocator allocator) {
        this.local = local;
        this.remote = remote;
        this.disk = disk;
        this.columns = List.copyOf(columns);
        this.allocator = allocator;
    }

    /** The fragment's selected columns, decoded; from the disk cache when it can. */
    DecodedFragment load(ObjectId object, long rows) throws IOException {
        if (disk == null) {
            return decode(object, rows);
        }
        while (true) {
            Optional<DecodedFragment> cached = disk.open(object, rows);
            if (cached.isPresent()) {
                return cached.get();
            }
            CompletableFuture<Void> mine = new CompletableFuture<>();
            CompletableFuture<Void> other;
            synchronized (producing) {
                other = producing.putIfAbsent(object, mine);
            }
            if (other != null) {
                // Another thread is producing it: wait, then read what it stored (or produce it if it failed).
                other.handle((ignored, failure) -> null).join();
                continue;
            }
            try {
                // It may have been stored between the miss above and taking over its production.
                cached = disk.open(object, rows);
                if (cached.isPresent()) {
                    return cached.get();
                }
                DecodedFragment decoded = decode(object, rows);
                if (storeQuietly(decoded)) {
                    Optional<DecodedFragment> mapped = disk.open(object, rows);
                    if (mapped.isPresent()) {
                        decoded.free();
                        return mapped.get();
                    }
                }
                return decoded;
            } finally {
                synchronized (producing) {
                    producing.remove(object);
                }
                mine.complete(null);
            }
        }
    }

    /** Whether the fragment would have to be fetched from the remote: not local and not in the disk cache. */
    boolean needsFetch(ObjectId object) throws IOException {
        return remote != null && disk != null && !disk.contains(object) && !local.objects().store().contains(object);
    }

    /** Fetches, decodes and stores the fragment in the disk cache, unless it is there or being produced. */
    void prefetch(ObjectId object, long rows) throws IOException {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        synchronized (producing) {
            if (producing.putIfAbsent(object, mine) != null) {
                return;
            }
        }
        try {
            if (disk.contains(object)) {
                return;
            }
            DecodedFragment decoded = decode(object, rows);
            try {
                storeQuietly(decoded);
            } finally {
                decoded.free();
            }
        } finally {
            synchronized (producing) {
                producing.remove(object);
            }
            mine.complete(null);
        }
    }

    private boolean storeQuietly(DecodedFragment decoded) {
        try {
            return disk.store(decoded);
        } catch (IOException | RuntimeException failure) {
            // A full or read-only disk makes the cache forget, never the loader fail: batches come from memory.
            cacheWriteFailures.incrementAndGet();
            return false;
        }
    }

    private DecodedFragment decode(ObjectId object, long rows) throws IOException {
        Repository source = local;
        if (remote != null && !local.objects().store().contains(object)) {
            source = remote;
            remoteFetches.incrementAndGet();
        }
        parquetDecodes.incrementAndGet();
        return DecodedFragment.decode(source, object, rows, columns, allocator);
    }

    long parquetDecodes() {
        return parquetDecodes.get();
    }

    long remoteFetches() {
        return remoteFetches.get();
    }

    long cacheWriteFailures() {
        return cacheWriteFailures.get();
    }
}
