package dev.lode.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** Fault injection by hand: wraps a store and fails its Nth put (counting from 1) with an IOException. */
final class FailingObjectStore implements ObjectStore {
    private final ObjectStore delegate;
    private final AtomicInteger puts = new AtomicInteger();
    private volatile int failAt;

    FailingObjectStore(ObjectStore delegate, int failAt) {
        this.delegate = delegate;
        this.failAt = failAt;
    }

    void failAt(int put) {
        puts.set(0);
        failAt = put;
    }

    @Override
    public Optional<InputStream> open(ObjectId id) throws IOException {
        return delegate.open(id);
    }

    @Override
    public Optional<ObjectInfo> stat(ObjectId id) throws IOException {
        return delegate.stat(id);
    }

    @Override
    public boolean putIfAbsent(ObjectId id, Path file) throws IOException {
        if (puts.incrementAndGet() == failAt) {
            throw new IOException("injected failure on put " + failAt + " of " + id);
        }
        return delegate.putIfAbsent(id, file);
    }

    @Override
    public void list(Consumer<ObjectInfo> action) throws IOException {
        delegate.list(action);
    }

    @Override
    public boolean delete(ObjectId id) throws IOException {
        return delegate.delete(id);
    }

    @Override
    public String describe() {
        return "failing(" + delegate.describe() + ")";
    }
}
