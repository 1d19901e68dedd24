package dev.lode.loader;

import dev.lode.engine.CacheDatabase;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The fragment cache's RocksDB index under {@code cache/index}: cache file name → (size, last use in epoch
 * milliseconds). Its own database rather than the repository's {@code index/}: a loader holds it for a whole
 * training run, which must not keep imports from their stat cache, and deleting {@code cache/} must drop it too.
 * Like the repository index it is only a cache: when another process holds it the cache works without it
 * (see {@link DiskCache}), and a corrupt one is deleted and recreated. Not thread-safe; DiskCache serialises calls.
 */
final class DiskCacheIndex implements AutoCloseable {
    private final CacheDatabase database;

    private DiskCacheIndex(CacheDatabase database) {
        this.database = database;
    }

    /** Opens the index, or empty when another process (or loader) holds it or it cannot be used. */
    static Optional<DiskCacheIndex> open(Path folder) {
        return CacheDatabase.open(folder, 16, 0).map(DiskCacheIndex::new);
    }

    /** Calls action(file name, {size, last use}) for every entry. */
    void forEach(BiConsumer<String, long[]> action) {
        try (RocksIterator iterator = database.database().newIterator()) {
            for (iterator.seekToFirst(); iterator.isValid(); iterator.next()) {
                byte[] value = iterator.value();
                if (value.length == 16) {
                    ByteBuffer buffer = ByteBuffer.wrap(value);
                    action.accept(new String(iterator.key(), StandardCharsets.UTF_8),
                            new long[]{buffer.getLong(), buffer.getLong()});
                }
            }
        }
    }

    void put(String file, long size, long lastUse) {
        try {
            database.database().put(database.writeOptions(), file.getBytes(StandardCharsets.UTF_8),
                    ByteBuffer.allocate(16).putLong(size).putLong(lastUse).array());
        } catch (RocksDBException e) {
            // An index that cannot remember only makes eviction less informed.
        }
    }

    void remove(String file) {
        try {
            database.database().delete(database.writeOptions(), file.getBytes(StandardCharsets.UTF_8));
        } catch (RocksDBException e) {
            // The entry is dropped again when the next scan finds no file for it.
        }
    }

    @Override
    public void close() {
        database.close();
    }
}
