package dev.lode.engine;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** Objects in memory, for tests and for staging. */
final class MemoryObjectStore implements ObjectStore {
    private record Stored(byte[] bytes, Instant written) {
    }

    private final ConcurrentHashMap<ObjectId, Stored> objects = new ConcurrentHashMap<>();
    private final Clock clock;

    MemoryObjectStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Optional<InputStream> open(ObjectId id) {
        Stored stored = objects.get(id);
        return stored == null ? Optional.empty() : Optional.of(new ByteArrayInputStream(stored.bytes()));
    }

    @Override
    public Optional<ObjectInfo> stat(ObjectId id) {
        Stored stored = objects.get(id);
        return stored == null ? Optional.empty()
                : Optional.of(new ObjectInfo(id, stored.bytes().length, stored.written()));
    }

    @Override
    public boolean putIfAbsent(ObjectId id, Path file) throws IOException {
        if (objects.containsKey(id)) {
            touch(id);
            return false;
        }
        return objects.putIfAbsent(id, new Stored(Files.readAllBytes(file), clock.instant())) == null;
    }

    @Override
    public void touch(ObjectId id) {
        objects.computeIfPresent(id, (key, stored) -> new Stored(stored.bytes(), clock.instant()));
    }

    @Override
    public void list(Consumer<ObjectInfo> action) {
        objects.forEach((id, stored) -> action.accept(new ObjectInfo(id, stored.bytes().length, stored.written())));
    }

    @Override
    public boolean delete(ObjectId id) {
        return objects.remove(id) != null;
    }

    /** Replaces an object's bytes behind the store's back, for tests of corruption detection. */
    void tamper(ObjectId id, byte[] bytes) {
        objects.computeIfPresent(id, (key, stored) -> new Stored(bytes.clone(), stored.written()));
    }

    @Override
    public String describe() {
        return "memory";
    }
}
