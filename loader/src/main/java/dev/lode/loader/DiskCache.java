package dev.lode.loader;

import dev.lode.engine.ObjectId;
import org.apache.arrow.memory.BufferAllocator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * The machine's cache of decoded fragments: one {@link ArrowCacheFile} per (fragment, column set) in a folder
 * (normally {@code .lode/cache/}), named {@code <fragment hash>-<column set key>.arrow}, memory-mapped when read.
 * Deleting the folder loses nothing; fragments are decoded again.
 *
 * <p>Sharing: files are written to a temporary name, fsynced and renamed, so any process sees a whole file or none,
 * and every read checks the file's checksum, so a damaged file is deleted and rebuilt, never served. The RocksDB
 * {@link DiskCacheIndex} (size, last use) belongs to one process at a time; the others work without it. Every
 * process that writes rescans the folder and keeps the total within the byte budget, evicting first files this
 * loader will not read again (least recently used first), then the one whose next use is farthest away. Deleting a
 * file another process has mapped is safe: the mapping stays valid until it is closed. Thread-safe.
 */
final class DiskCache implements AutoCloseable {
    static final String SUFFIX = ".arrow";
    private static final Duration STALE_TEMPORARY = Duration.ofHours(1);

    private final Path folder;
    private final long budgetBytes;
    private final CacheCompression compression;
    private final List<SlabColumn> columns;
    private final String columnSetKey;
    private final BufferAllocator allocator;
    private final ToLongFunction<ObjectId> nextUse;
    private final Optional<DiskCacheIndex> index;
    private final Map<String, long[]> entries = new TreeMap<>(); // guarded by this: name -> {size, last use}
    private long totalBytes;
    private long hits;
    private long writes;
    private long corruptFiles;
    private long evictions;

    private DiskCache(Path folder, long budgetBytes, CacheCompression compression, List<SlabColumn> columns,
                      BufferAllocator allocator, ToLongFunction<ObjectId> nextUse, Optional<DiskCacheIndex> index) {
        this.folder = folder;
        this.budgetBytes = budgetBytes;
        this.compression = compression;
        this.columns = List.copyOf(columns);
        this.columnSetKey = columnSetKey(columns);
        this.allocator = allocator;
        this.nextUse = nextUse;
        this.index = index;
    }

    /**
     * Opens (creating) the cache folder and its index.
     *
     * @param budgetBytes the most bytes of cache files to keep, or -1 for the default: half the free space of the
     *                    file system, at most 16 GiB
     * @param nextUse     the global step at which this loader next reads a fragment, {@link FragmentUsage#NEVER}
     *                    if it does not
     */
    static DiskCache open(Path folder, long budgetBytes, CacheCompression compression, List<SlabColumn> columns,
                          BufferAllocator allocator, ToLongFunction<ObjectId> nextUse) throws IOException {
        Files.createDirectories(folder);
        long budget = budgetBytes >= 0 ? budgetBytes
                : Math.min(16L << 30, Files.getFileStore(folder).getUsableSpace() / 2);
        DiskCache cache = new DiskCache(folder, budget, compression, columns, allocator, nextUse,
                DiskCacheIndex.open(folder.resolve("index")));
        cache.deleteStaleTemporaries();
        synchronized (cache) {
            cache.index.ifPresent(opened -> opened.forEach((name, value) -> {
                cache.entries.put(name, value);
                cache.totalBytes += value[0];
            }));
            cache.rescan();
        }
        return cache;
    }

    /** The key of a column set: which columns, in which order, of which kind and shape, in which file format. */
    static String columnSetKey(List<SlabColumn> columns) {
        StringBuilder description = new StringBuilder(ArrowCacheFile.FORMAT).append('\n');
        for (SlabColumn column : columns) {
            description.append(column.name()).append('\0').append(column.kind()).append('\0')
                    .append(column.field()).append('\0').append(column.listSize()).append('\n');
        }
        byte[] digest = ObjectId.hashOf(description.toString().getBytes(StandardCharsets.UTF_8)).toBytes();
        return HexFormat.of().formatHex(digest, 0, 8);
    }

    Path folder() {
        return folder;
    }

    long budgetBytes() {
        return budgetBytes;
    }

    /** The file this column set of the fragment is cached in (it may not exist). */
    Path fileOf(ObjectId object) {
        return folder.resolve(object.hex() + "-" + columnSetKey + SUFFIX);
    }

    boolean contains(ObjectId object) {
        return Files.isRegularFile(fileOf(object));
    }

    /**
     * The cached fragment, mapped and checked; empty when it is not cached, or its file was damaged (the file is
     * then deleted, so that the caller decodes and stores it again).
     */
    Optional<DecodedFragment> open(ObjectId object, long rows) throws IOException {
        Path file = fileOf(object);
        String name = file.getFileName().toString();
        DecodedFragment fragment;
        try {
            fragment = ArrowCacheFile.map(file, object, rows, columns);
        } catch (NoSuchFileException absent) {
            return Optional.empty();
        } catch (CorruptCacheFileException corrupt) {
            Files.deleteIfExists(file);
            synchronized (this) {
                corruptFiles++;
                forget(name);
            }
            return Optional.empty();
        }
        synchronized (this) {
            hits++;
            long[] entry = entries.get(name);
            if (entry != null) {
                remember(name, entry[0], System.currentTimeMillis());
            }
        }
        return Optional.of(fragment);
    }

    /**
     * Writes the fragment's file (atomically) and evicts files beyond the budget. A fragment larger than the whole
     * budget is not kept.
     *
     * @return whether the file is in the cache afterwards
     */
    boolean store(DecodedFragment fragment) throws IOException {
        if (fragment.bytes() > budgetBytes) {
            return false;
        }
        Path file = fileOf(fragment.object());
        long size = ArrowCacheFile.write(file, fragment, columns, compression, allocator);
        String name = file.getFileName().toString();
        synchronized (this) {
            writes++;
            rescan();
            remember(name, size, System.currentTimeMillis());
            evict();
            return entries.containsKey(name);
        }
    }

    /** Brings the entries in line with the folder: files other processes wrote or deleted. Caller holds this. */
    private void rescan() throws IOException {
        Map<String, long[]> found = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*" + SUFFIX)) {
            for (Path file : files) {
                try {
                    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                    if (attributes.isRegularFile()) {
                        found.put(file.getFileName().toString(), new long[]{attributes.size(),
                                attributes.lastModifiedTime().toMillis()});
                    }
                } catch (NoSuchFileException deletedMeanwhile) {
                    // Another process evicted it.
                }
            }
        }
        for (String name : List.copyOf(entries.keySet())) {
            if (!found.containsKey(name)) {
                forget(name);
            }
        }
        for (Map.Entry<String, long[]> file : found.entrySet()) {
            long[] known = entries.get(file.getKey());
            if (known == null || known[0] != file.getValue()[0]) {
                remember(file.getKey(), file.getValue()[0],
                        known == null ? file.getValue()[1] : Math.max(known[1], file.getValue()[1]));
            }
        }
    }

    private void remember(String name, long size, long lastUse) {
        long[] previous = entries.put(name, new long[]{size, lastUse});
        totalBytes += size - (previous == null ? 0 : previous[0]);
        index.ifPresent(opened -> opened.put(name, size, lastUse));
    }

    private void forget(String name) {
        long[] previous = entries.remove(name);
        if (previous != null) {
            totalBytes -= previous[0];
        }
        index.ifPresent(opened -> opened.remove(name));
    }

    /**
     * Deletes files until the total fits the budget. The file just written competes like the others: the loader
     * holds its fragment in memory for the current read, so the file only matters for the next one. Caller holds
     * this.
     */
    private void evict() throws IOException {
        while (totalBytes > budgetBytes && !entries.isEmpty()) {
            String victim = null;
            long victimNextUse = -1;
            long victimLastUse = 0;
            for (Map.Entry<String, long[]> entry : entries.entrySet()) {
                String name = entry.getKey();
                long next = nextUseOf(name);
                long lastUse = entry.getValue()[1];
                if (victim == null || next > victimNextUse || (next == victimNextUse && lastUse < victimLastUse)) {
                    victim = name;
                    victimNextUse = next;
                    victimLastUse = lastUse;
                }
            }
            Files.deleteIfExists(folder.resolve(victim));
            forget(victim);
            evictions++;
        }
    }

    private long nextUseOf(String name) {
        String ours = "-" + columnSetKey + SUFFIX;
        if (!name.endsWith(ours) || name.length() != ObjectId.HEX_LENGTH + ours.length()) {
            return FragmentUsage.NEVER;
        }
        try {
            return nextUse.applyAsLong(ObjectId.parse(name.substring(0, ObjectId.HEX_LENGTH)));
        } catch (RuntimeException notAnObjectName) {
            return FragmentUsage.NEVER;
        }
    }

    private void deleteStaleTemporaries() throws IOException {
        long cutoff = System.currentTimeMillis() - STALE_TEMPORARY.toMillis();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.tmp")) {
            for (Path file : files) {
                try {
                    if (Files.getLastModifiedTime(file).toMillis() < cutoff) {
                        Files.deleteIfExists(file);
                    }
                } catch (IOException ignored) {
                    // Another process cleaned it up.
                }
            }
        }
    }

    boolean indexed() {
        return index.isPresent();
    }

    synchronized long totalBytes() {
        return totalBytes;
    }

    synchronized long hits() {
        return hits;
    }

    synchronized long writes() {
        return writes;
    }

    synchronized long corruptFiles() {
        return corruptFiles;
    }

    synchronized long evictions() {
        return evictions;
    }

    @Override
    public synchronized void close() {
        index.ifPresent(DiskCacheIndex::close);
    }
}
