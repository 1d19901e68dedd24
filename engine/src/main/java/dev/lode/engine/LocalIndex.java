package dev.lode.engine;

import org.rocksdb.RocksDBException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * The repository's local index in RocksDB under {@code index/}: a cache, never the only copy of anything.
 * <ul>
 *   <li>stat cache: (absolute path, size, modification time, inode) → SHA-256, so an unchanged source is not
 *       hashed again;</li>
 *   <li>conversion cache: hash of (importer, version, options, source hashes) → manifest id, so converting the
 *       same sources the same way again is instant.</li>
 * </ul>
 * Deleting the folder loses nothing: it is rebuilt as imports run. If the index is unusable (held by another
 * process, corrupt), it is reopened empty or bypassed, never trusted blindly: callers check that a cached
 * manifest still exists before using it.
 */
final class LocalIndex implements AutoCloseable {
    private static final byte[] STAT = "stat\0".getBytes(StandardCharsets.UTF_8);
    private static final byte[] CONVERSION = "conv\0".getBytes(StandardCharsets.UTF_8);

    private final CacheDatabase database;

    private LocalIndex(CacheDatabase database) {
        this.database = database;
    }

    /**
     * Opens the index, or returns an empty Optional when it cannot be used now (another process holds it: waited
     * for up to about a second). A corrupt index is deleted and recreated.
     */
    static Optional<LocalIndex> open(Path folder) {
        return CacheDatabase.open(folder, 64, 19).map(LocalIndex::new);
    }

    /** The key identifying one version of a file: absolute path, size, modification time and inode. */
    static byte[] statKey(Path file) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        Object inode = attributes.fileKey();
        String key = file.toAbsolutePath().normalize() + "\0" + attributes.size() + "\0"
                + attributes.lastModifiedTime().toInstant() + "\0" + inode;
        return concat(STAT, key.getBytes(StandardCharsets.UTF_8));
    }

    Optional<ObjectId> cachedHash(byte[] statKey) {
        return get(statKey);
    }

    void rememberHash(byte[] statKey, ObjectId hash) {
        put(statKey, hash);
    }

    Optional<ObjectId> cachedConversion(ObjectId conversionKey) {
        return get(concat(CONVERSION, conversionKey.toBytes()));
    }

    void rememberConversion(ObjectId conversionKey, ObjectId manifest) {
        put(concat(CONVERSION, conversionKey.toBytes()), manifest);
    }

    private Optional<ObjectId> get(byte[] key) {
        try {
            byte[] value = database.database().get(key);
            return value == null || value.length != 32 ? Optional.empty() : Optional.of(ObjectId.fromDigest(value));
        } catch (RocksDBException e) {
            return Optional.empty();
        }
    }

    private void put(byte[] key, ObjectId value) {
        try {
            database.database().put(database.writeOptions(), key, value.toBytes());
        } catch (RocksDBException e) {
            // A cache that cannot remember only costs time later.
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Override
    public void close() {
        database.close();
    }
}
