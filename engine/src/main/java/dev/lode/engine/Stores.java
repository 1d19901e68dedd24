package dev.lode.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

/** Factories for the built-in backends. */
public final class Stores {
    private Stores() {
    }

    /** Objects under {@code root/objects}, staged through {@code root/tmp}. */
    public static ObjectStore localObjects(Path root) throws IOException {
        return new LocalObjectStore(root);
    }

    /** Refs under {@code root/refs}, logs under {@code root/logs}, serialised by an OS lock on root/refs.lock. */
    public static RefStore localRefs(Path root) throws IOException {
        return new LocalRefStore(root);
    }

    public static ObjectStore memoryObjects() {
        return new MemoryObjectStore(Clock.systemUTC());
    }

    public static ObjectStore memoryObjects(Clock clock) {
        return new MemoryObjectStore(clock);
    }

    public static RefStore memoryRefs() {
        return new MemoryRefStore();
    }
}
