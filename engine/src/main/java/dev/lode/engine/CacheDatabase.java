package dev.lode.engine;

import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A RocksDB database that only caches what can be rebuilt: the repository's {@code index/} and the loader's
 * {@code cache/index}. Opening it never fails a command: a corrupt database is deleted and created anew, one held by
 * another process is waited for a little (if asked) and otherwise bypassed (empty result).
 */
public final class CacheDatabase implements AutoCloseable {
    private static final long LOCK_WAIT_MILLIS = 50;

    private final RocksDB database;
    private final Options options;
    private final WriteOptions writeOptions = new WriteOptions();

    private CacheDatabase(RocksDB database, Options options) {
        this.database = database;
        this.options = options;
    }

    /**
     * Opens (creating) the database in {@code folder}, or returns empty when it cannot be used now.
     *
     * @param maxOpenFiles RocksDB's limit on open table files
     * @param lockWaits    how many times to wait 50 ms for another process's lock before going without
     */
    public static Optional<CacheDatabase> open(Path folder, int maxOpenFiles, int lockWaits) {
        RocksDB.loadLibrary();
        boolean recreated = false;
        for (int waits = 0; ; ) {
            Options options = new Options().setCreateIfMissing(true).setKeepLogFileNum(2)
                    .setMaxOpenFiles(maxOpenFiles);
            try {
                Files.createDirectories(folder);
                return Optional.of(new CacheDatabase(RocksDB.open(options, folder.toString()), options));
            } catch (RocksDBException e) {
                options.close();
                String message = String.valueOf(e.getMessage());
                if ((message.contains("lock") || message.contains("Lock")) && waits < lockWaits) {
                    waits++;
                    sleep(LOCK_WAIT_MILLIS);
                    continue;
                }
                if ((message.contains("Corruption") || message.contains("corrupt")) && !recreated) {
                    recreated = true;
                    deleteQuietly(folder);
                    continue;
                }
                return Optional.empty(); // held by another process, or unusable: work without it
            } catch (IOException e) {
                options.close();
                return Optional.empty();
            }
        }
    }

    public RocksDB database() {
        return database;
    }

    public WriteOptions writeOptions() {
        return writeOptions;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
