package dev.lode.loader;

import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

/**
 * The fragment cache's RocksDB index under {@code cache/index}: cache file name → (size, last use in epoch
 * milliseconds). Its own database rather than the repository's {@code index/}: a loader holds it for a whole
 * training run, which must not keep imports from their stat cache, and deleting {@code cache/} must drop it too.
 * Like the repository index it is only a cache: when another process holds it the cache works without it
 * (see {@link DiskCache}), and a corrupt one is deleted and recreated. Not thread-safe; DiskCache serialises calls.
 */
final class DiskCacheIndex implements AutoCloseable {
    private final RocksDB database;
    private final Options options;
    private final WriteOptions writeOptions;

    private DiskCacheIndex(RocksDB database, Options options) {
        this.database = database;
        this.options = options;
        this.writeOptions = new WriteOptions();
    }

    /** Opens the index, or empty when another process (or loader) holds it or it cannot be used. */
    static Optional<DiskCacheIndex> open(Path folder) {
        RocksDB.loadLibrary();
        for (int attempt = 0; attempt < 2; attempt++) {
            Options options = new Options().setCreateIfMissing(true).setKeepLogFileNum(2).setMaxOpenFiles(16);
            try {
                Files.createDirectories(folder);
                return Optional.of(new DiskCacheIndex(RocksDB.open(options, folder.toString()), options));
            } catch (RocksDBException e) {
                options.close();
                String message = String.valueOf(e.getMessage());
                if (attempt == 0 && (message.contains("Corruption") || message.contains("corrupt"))) {
                    deleteQuietly(folder);
                    continue;
                }
                // Held by another process or loader ("lock"), or unusable: work without the index.
                return Optional.empty();
            } catch (IOException e) {
                options.close();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** Calls action(file name, {size, last use}) for every entry. */
    void forEach(BiConsumer<String, long[]> action) {
        try (RocksIterator iterator = database.newIterator()) {
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
            database.put(writeOptions, file.getBytes(StandardCharsets.UTF_8),
                    ByteBuffer.allocate(16).putLong(size).putLong(lastUse).array());
        } catch (RocksDBException e) {
            // An index that cannot remember only makes eviction less informed.
        }
    }

    void remove(String file) {
        try {
            database.delete(writeOptions, file.getBytes(StandardCharsets.UTF_8));
        } catch (RocksDBException e) {
            // The entry is dropped again when the next scan finds no file for it.
        }
    }

    private static void deleteQuietly(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // Best effort: the next open retries.
                }
            });
        } catch (IOException ignored) {
            // Nothing to delete.
        }
    }

    @Override
    public void close() {
        writeOptions.close();
        database.close();
        options.close();
    }
}
