package dev.lode.engine;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.UUID;

import static java.util.Objects.requireNonNull;

/**
 * Content addressing on top of an {@link ObjectStore}: writes name objects by their SHA-256, reads verify it.
 * Nothing read is handed on before its hash has been checked, except through {@link #openVerified}, whose stream
 * throws {@link CorruptObjectException} at its end instead of returning end-of-file when the hash differs.
 */
public final class ObjectDatabase {
    private final ObjectStore store;
    private final Path staging;

    /**
     * @param staging a folder for temporary files, on the same file system as a local store's objects so that
     *                staged files can be linked into place
     */
    public ObjectDatabase(ObjectStore store, Path staging) throws IOException {
        this.store = requireNonNull(store, "store is null");
        this.staging = requireNonNull(staging, "staging is null");
        Files.createDirectories(staging);
    }

    public ObjectStore store() {
        return store;
    }

    /** A new, empty temporary file in the staging folder; the caller deletes it when done. */
    public Path newTemporaryFile(String purpose) throws IOException {
        try {
            return Files.createTempFile(staging, purpose + "-", ".tmp");
        } catch (IOException e) {
            throw StorageFailures.check(e, staging);
        }
    }

    /** Stores the bytes and returns their id. Storing existing content again is a no-op. */
    public ObjectId put(byte[] bytes) throws IOException {
        ObjectId id = ObjectId.hashOf(bytes);
        if (store.contains(id)) {
            store.touch(id);
            return id;
        }
        Path file = newTemporaryFile("object");
        try {
            try {
                Files.write(file, bytes);
            } catch (IOException e) {
                throw StorageFailures.check(e, file);
            }
            store.putIfAbsent(id, file);
        } finally {
            Files.deleteIfExists(file);
        }
        return id;
    }

    /** Hashes the file and stores it under its hash; the file stays where it is. */
    public ObjectId putFile(Path file) throws IOException {
        ObjectId id = hashFile(file);
        store.putIfAbsent(id, file);
        return id;
    }

    /** The SHA-256 of a file's bytes. */
    public static ObjectId hashFile(Path file) throws IOException {
        MessageDigest digest = ObjectId.newDigest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return ObjectId.fromDigest(digest.digest());
    }

    /**
     * Reads a whole object and checks its hash. Objects larger than {@code maxBytes} are refused before they are
     * read, so a hostile store cannot make us buffer an unbounded object.
     */
    public byte[] read(ObjectId id, long maxBytes) throws IOException {
        ObjectInfo info = store.stat(id).orElseThrow(() -> missing(id));
        // A byte array holds at most about 2 GiB; larger objects are streamed with openVerified instead.
        maxBytes = Math.min(maxBytes, Integer.MAX_VALUE - 16);
        if (info.size() > maxBytes) {
            throw new LodeException("Object " + id + " in " + store.describe() + " is " + info.size()
                    + " bytes, more than the limit of " + maxBytes + " for its kind");
        }
        try (InputStream in = openVerified(id)) {
            byte[] bytes = in.readNBytes((int) maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw new LodeException("Object " + id + " in " + store.describe() + " grew beyond the limit of "
                        + maxBytes + " bytes while being read");
            }
            if (in.read() != -1) {
                throw new LodeException("Object " + id + " is longer than its declared size");
            }
            return bytes;
        }
    }

    /** Opens an object; the stream throws {@link CorruptObjectException} at its end if the hash differs. */
    public InputStream openVerified(ObjectId id) throws IOException {
        InputStream raw = store.open(id).orElseThrow(() -> missing(id));
        return new VerifyingInputStream(raw, id, store.describe() + "/" + id.hex());
    }

    /**
     * Copies a verified object to {@code target}; the target appears complete or not at all. A store that
     * {@link SupportsDownload} fetches it its own way (parallel ranged GETs on S3), verified the same.
     */
    public void copyTo(ObjectId id, Path target) throws IOException {
        copyTo(id, target, Long.MAX_VALUE);
    }

    /**
     * Copies a verified object of at most {@code maxBytes} to {@code target}; the target appears complete or not at
     * all. The copy stops with a {@link LodeException} naming the object as soon as more bytes arrive than the
     * limit, so an untrusted store cannot fill the disk by serving an endless object.
     */
    public void copyTo(ObjectId id, Path target, long maxBytes) throws IOException {
        if (store instanceof SupportsDownload downloads) {
            downloads.download(id, target, maxBytes);
            return;
        }
        Path partial = target.resolveSibling(target.getFileName() + "." + UUID.randomUUID() + ".partial");
        try {
            try (InputStream in = openVerified(id); OutputStream out = Files.newOutputStream(partial)) {
                byte[] buffer = new byte[1 << 16];
                long copied = 0;
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    copied += n;
                    if (copied > maxBytes) {
                        throw new LodeException("Object " + id + " in " + store.describe() + " is larger than the"
                                + " limit of " + maxBytes + " bytes for its kind; stopped copying it");
                    }
                    out.write(buffer, 0, n);
                }
            } catch (IOException e) {
                throw StorageFailures.check(e, partial);
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /** Re-reads the object and returns whether its bytes hash to its name; absent objects throw. */
    public boolean verify(ObjectId id) throws IOException {
        try (InputStream in = openVerified(id)) {
            in.transferTo(OutputStream.nullOutputStream());
            return true;
        } catch (CorruptObjectException e) {
            return false;
        }
    }

    private LodeException missing(ObjectId id) {
        return new MissingObjectException(id, store.describe());
    }

    /** Hashes what passes through; at end of stream compares with the expected id. */
    private static final class VerifyingInputStream extends FilterInputStream {
        private final ObjectId expected;
        private final String where;
        private final MessageDigest digest;
        private boolean checked;

        VerifyingInputStream(InputStream in, ObjectId expected, String where) {
            super(new DigestInputStream(in, ObjectId.newDigest()));
            this.expected = expected;
            this.where = where;
            this.digest = ((DigestInputStream) this.in).getMessageDigest();
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b < 0) {
                check();
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n < 0) {
                check();
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // Skipping would leave bytes unhashed; read through them instead.
            byte[] sink = new byte[(int) Math.min(n, 8192)];
            long skipped = 0;
            while (skipped < n) {
                int r = read(sink, 0, (int) Math.min(sink.length, n - skipped));
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        private void check() {
            if (checked) {
                return;
            }
            checked = true;
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equals(expected.hex())) {
                throw new CorruptObjectException(where, expected, actual);
            }
        }
    }
}
