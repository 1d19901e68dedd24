package dev.lode.engine;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The behaviour every {@link ObjectStore} must have. Subclasses create the store; the S3 backend runs this same
 * suite against a real S3-compatible server.
 */
public abstract class ObjectStoreContract {
    @TempDir
    protected Path temporary;

    protected ObjectStore store;
    protected ObjectDatabase database;

    /** A new, empty store. */
    protected abstract ObjectStore createStore() throws Exception;

    /** Replaces the stored bytes of an object without going through the store, to simulate bit rot or tampering. */
    protected abstract void tamper(ObjectId id, byte[] bytes) throws Exception;

    @BeforeEach
    void open() throws Exception {
        store = createStore();
        database = new ObjectDatabase(store, temporary.resolve("staging"));
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }

    @Test
    void absentObjectIsEmptyNotAnError() throws Exception {
        ObjectId id = ObjectId.hashOf("nothing".getBytes(StandardCharsets.UTF_8));
        assertTrue(store.open(id).isEmpty());
        assertTrue(store.stat(id).isEmpty());
        assertFalse(store.contains(id));
        assertFalse(store.delete(id));
        MissingObjectException e = assertThrows(MissingObjectException.class, () -> database.read(id, 100));
        assertTrue(e.getMessage().contains(id.hex()), e.getMessage());
    }

    @Test
    void putThenReadReturnsTheSameBytes() throws Exception {
        byte[] bytes = randomBytes(1, 100_000);
        ObjectId id = database.put(bytes);
        assertEquals(ObjectId.hashOf(bytes), id);
        assertArrayEquals(bytes, database.read(id, bytes.length));
        assertEquals(bytes.length, store.stat(id).orElseThrow().size());
    }

    @Test
    void emptyObjectIsStored() throws Exception {
        ObjectId id = database.put(new byte[0]);
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", id.hex());
        assertArrayEquals(new byte[0], database.read(id, 0));
    }

    @Test
    void putIfAbsentReportsWhetherItWrote() throws Exception {
        byte[] bytes = "same content".getBytes(StandardCharsets.UTF_8);
        Path file = temporary.resolve("f");
        Files.write(file, bytes);
        ObjectId id = ObjectId.hashOf(bytes);
        assertTrue(store.putIfAbsent(id, file));
        assertFalse(store.putIfAbsent(id, file));
        assertTrue(Files.exists(file), "the source file is left in place");
    }

    @Test
    void listShowsEveryObjectOnce() throws Exception {
        Set<ObjectId> written = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            written.add(database.put(("object " + i).getBytes(StandardCharsets.UTF_8)));
        }
        List<ObjectInfo> listed = new ArrayList<>();
        store.list(listed::add);
        assertEquals(written.size(), listed.size());
        Set<ObjectId> ids = new HashSet<>();
        listed.forEach(info -> ids.add(info.id()));
        assertEquals(written, ids);
    }

    @Test
    void deleteRemoves() throws Exception {
        ObjectId id = database.put("doomed".getBytes(StandardCharsets.UTF_8));
        assertTrue(store.delete(id));
        assertFalse(store.contains(id));
        assertFalse(store.delete(id));
    }

    @Test
    void tamperedObjectIsDetectedOnRead() throws Exception {
        byte[] bytes = randomBytes(2, 5000);
        ObjectId id = database.put(bytes);
        byte[] changed = bytes.clone();
        changed[1234] ^= 1;
        tamper(id, changed);
        CorruptObjectException e = assertThrows(CorruptObjectException.class, () -> database.read(id, 10_000));
        assertTrue(e.getMessage().contains("expected sha256 " + id.hex()), e.getMessage());
        assertTrue(e.getMessage().contains(ObjectId.hashOf(changed).hex()), e.getMessage());
        assertFalse(database.verify(id));
    }

    @Test
    void truncatedObjectIsDetectedOnStreamingRead() throws Exception {
        byte[] bytes = randomBytes(3, 50_000);
        ObjectId id = database.put(bytes);
        tamper(id, java.util.Arrays.copyOf(bytes, 10_000));
        assertThrows(CorruptObjectException.class, () -> {
            try (InputStream in = database.openVerified(id)) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
        });
        Path target = temporary.resolve("copy");
        assertThrows(CorruptObjectException.class, () -> database.copyTo(id, target));
        assertFalse(Files.exists(target), "a corrupt object never becomes visible as a file");
    }

    @Test
    void oversizedObjectIsRefusedBeforeReading() throws Exception {
        ObjectId id = database.put(randomBytes(4, 2000));
        LodeException e = assertThrows(LodeException.class, () -> database.read(id, 1000));
        assertTrue(e.getMessage().contains("more than the limit of 1000"), e.getMessage());
    }

    @Test
    void concurrentPutsOfTheSameContentAllSucceed() throws Exception {
        byte[] bytes = randomBytes(5, 200_000);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<ObjectId>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Callable<ObjectId> put = () -> database.put(bytes);
                results.add(pool.submit(put));
            }
            for (Future<ObjectId> result : results) {
                assertEquals(ObjectId.hashOf(bytes), result.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertArrayEquals(bytes, database.read(ObjectId.hashOf(bytes), bytes.length));
    }

    protected static byte[] randomBytes(long seed, int size) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    protected static byte[] readAll(ObjectStore store, ObjectId id) throws IOException {
        try (InputStream in = store.open(id).orElseThrow()) {
            return in.readAllBytes();
        }
    }
}
