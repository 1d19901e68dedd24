package dev.lode.engine;

import dev.lode.engine.parquet.FragmentSummary;
import dev.lode.engine.parquet.FragmentWriter;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.TransferPair;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Cuts the batches of an import at every {@code rowsPerFragment} rows and stores each finished fragment.
 *
 * <p>With one thread each fragment is written as its rows arrive. With more, the rows of a fragment are collected
 * (their buffers transferred from the batch, not copied) and the whole fragment is written, hashed and stored on a
 * pool while later rows are read; at most {@code threads + 1} fragments are in flight, which bounds memory. A
 * fragment's bytes depend only on its rows, and fragments are listed in row order whatever order they finish in,
 * so the result never depends on the thread count. When writing fails, the first failure in fragment order is
 * thrown; a full disk or read-only repository is named as such ({@link StorageFailures}). Not thread-safe: one
 * thread calls {@link #accept} and {@link #finish}.
 */
final class FragmentCutter implements AutoCloseable {
    private final ObjectDatabase objects;
    private final Schema schema;
    private final long rowsPerFragment;
    private final long[] written;
    private final int threads;
    private final List<FragmentEntry> fragments = new ArrayList<>();

    // One thread: the fragment being written.
    private FragmentWriter writer;
    private Path file;
    private long rowsInFragment;

    // More threads: the rows of the fragment being collected, and the fragments being written.
    private final List<Slice> slices = new ArrayList<>();
    private final ArrayDeque<Future<Stored>> pending = new ArrayDeque<>();
    private final ExecutorService pool;

    /** @param written incremented by the objects and bytes newly stored: {@code [objects, bytes]} */
    FragmentCutter(ObjectDatabase objects, Schema schema, long rowsPerFragment, long[] written, int threads) {
        this.objects = objects;
        this.schema = schema;
        this.rowsPerFragment = rowsPerFragment;
        this.written = written;
        this.threads = threads;
        this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads, task -> {
            Thread thread = new Thread(task, "lode-fragment-write");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Takes the rows of the batch; the batch stays owned by the caller (with more threads it is left empty). */
    void accept(VectorSchemaRoot batch) throws IOException {
        if (pool == null) {
            try {
                acceptInline(batch);
            } catch (IOException e) {
                throw StorageFailures.check(e, file);
            }
            return;
        }
        int rows = batch.getRowCount();
        if (rows == 0) {
            return;
        }
        Shared shared = new Shared(transfer(batch));
        try {
            int offset = 0;
            while (offset < rows) {
                int take = (int) Math.min(rows - offset, rowsPerFragment - rowsInFragment);
                shared.retain();
                slices.add(new Slice(shared, offset, take));
                offset += take;
                rowsInFragment += take;
                if (rowsInFragment == rowsPerFragment) {
                    submit();
                }
            }
        } finally {
            shared.release();
        }
    }

    private void acceptInline(VectorSchemaRoot batch) throws IOException {
        int offset = 0;
        int rows = batch.getRowCount();
        while (offset < rows) {
            if (writer == null) {
                file = newFragmentFile();
                writer = FragmentWriter.create(schema, file);
                rowsInFragment = 0;
            }
            int take = (int) Math.min(rows - offset, rowsPerFragment - rowsInFragment);
            writer.write(batch, offset, take);
            offset += take;
            rowsInFragment += take;
            if (rowsInFragment == rowsPerFragment) {
                FragmentWriter finished = writer;
                writer = null;
                add(store(finished, file));
            }
        }
    }

    /** Stores the last fragment and returns every fragment in row order. */
    List<FragmentEntry> finish() throws IOException {
        if (pool == null) {
            if (writer != null && rowsInFragment > 0) {
                FragmentWriter finished = writer;
                writer = null;
                try {
                    add(store(finished, file));
                } catch (IOException e) {
                    throw StorageFailures.check(e, file);
                }
            }
            return fragments;
        }
        if (!slices.isEmpty()) {
            submit();
        }
        while (!pending.isEmpty()) {
            add(await(pending.poll()));
        }
        return fragments;
    }

    private void submit() throws IOException {
        List<Slice> fragment = List.copyOf(slices);
        slices.clear();
        rowsInFragment = 0;
        pending.add(pool.submit(() -> write(fragment)));
        if (pending.size() > threads) {
            add(await(pending.poll()));
        }
    }

    /** On a pool thread: writes, hashes and stores one fragment, and releases its rows whatever happens. */
    private Stored write(List<Slice> fragment) throws IOException {
        Path target = null;
        try {
            target = newFragmentFile();
            try (FragmentWriter fragmentWriter = FragmentWriter.create(schema, target, strictlyMonotonic(fragment))) {
                for (Slice slice : fragment) {
                    fragmentWriter.write(slice.batch().root, slice.from(), slice.count());
                }
                return store(fragmentWriter, target);
            }
        } catch (IOException e) {
            throw StorageFailures.check(e, target);
        } finally {
            for (Slice slice : fragment) {
                slice.batch().release();
            }
            if (target != null) {
                Files.deleteIfExists(target);
            }
        }
    }

    /**
     * The top-level 32- and 64-bit integer, date and timestamp columns whose non-null values strictly increase (or
     * strictly decrease) over the fragment, such as row ids: distinct values, so the writer may skip the dictionary
     * attempt for them with no change to the bytes. One pass that stops at the first value out of order.
     */
    private static Set<String> strictlyMonotonic(List<Slice> fragment) {
        Set<String> columns = new HashSet<>();
        List<FieldVector> first = fragment.getFirst().batch().root.getFieldVectors();
        for (int c = 0; c < first.size(); c++) {
            ArrowType type = first.get(c).getField().getType();
            boolean integral = type instanceof ArrowType.Int || type instanceof ArrowType.Date
                    || type instanceof ArrowType.Timestamp;
            if (integral && first.get(c) instanceof BaseFixedWidthVector fixed
                    && (fixed.getTypeWidth() == Long.BYTES || fixed.getTypeWidth() == Integer.BYTES)
                    && strictlyMonotonic(fragment, c, fixed.getTypeWidth())) {
                columns.add(first.get(c).getName());
            }
        }
        return columns;
    }

    private static boolean strictlyMonotonic(List<Slice> fragment, int column, int width) {
        boolean any = false;
        long previous = 0;
        int direction = 0; // 1 increasing, -1 decreasing, 0 not known yet
        for (Slice slice : fragment) {
            FieldVector vector = slice.batch().root.getVector(column);
            ArrowBuf data = vector.getDataBuffer();
            for (int row = slice.from(); row < slice.from() + slice.count(); row++) {
                if (vector.isNull(row)) {
                    continue;
                }
                long value = width == Long.BYTES ? data.getLong((long) row * width) : data.getInt((long) row * width);
                if (any) {
                    int order = Long.compare(value, previous);
                    if (order == 0 || (direction != 0 && order != direction)) {
                        return false;
                    }
                    direction = order;
                }
                any = true;
                previous = value;
            }
        }
        return true;
    }

    private Path newFragmentFile() throws IOException {
        Path path = objects.newTemporaryFile("fragment");
        Files.delete(path);
        return path;
    }

    /** Finishes the fragment, stores it under its hash and deletes the temporary file. */
    private Stored store(FragmentWriter finished, Path path) throws IOException {
        try {
            FragmentSummary summary = finished.finish();
            ObjectId id = ObjectDatabase.hashFile(path);
            long size = Files.size(path);
            boolean stored = objects.store().putIfAbsent(id, path);
            return new Stored(new FragmentEntry(id, summary.rows(), size, summary.statistics().asObject()), stored);
        } finally {
            Files.deleteIfExists(path);
        }
    }

    private void add(Stored stored) {
        if (stored.newObject()) {
            written[0]++;
            written[1] += stored.entry().bytes();
        }
        fragments.add(stored.entry());
    }

    private static Stored await(Future<Stored> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing fragments");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof UncheckedIOException unchecked) {
                throw unchecked.getCause();
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IOException(cause);
        }
    }

    /** Moves the batch's buffers into a new root, leaving the batch empty, so the rows outlive the caller's batch. */
    private static VectorSchemaRoot transfer(VectorSchemaRoot batch) {
        List<FieldVector> vectors = new ArrayList<>();
        for (FieldVector vector : batch.getFieldVectors()) {
            TransferPair pair = vector.getTransferPair(vector.getAllocator());
            pair.transfer();
            vectors.add((FieldVector) pair.getTo());
        }
        return new VectorSchemaRoot(batch.getSchema().getFields(), vectors, batch.getRowCount());
    }

    /** Abandons unfinished work: waits for fragments being written (their files are deleted) and frees all rows. */
    @Override
    public void close() throws IOException {
        try {
            if (writer != null) {
                writer.close();
                writer = null;
            }
            if (file != null) {
                Files.deleteIfExists(file);
            }
        } finally {
            if (pool != null) {
                for (Slice slice : slices) {
                    slice.batch().release();
                }
                slices.clear();
                for (Future<Stored> future : pending) {
                    try {
                        future.get();
                    } catch (ExecutionException | RuntimeException ignored) {
                        // Already failing; the first error was thrown, later ones add nothing.
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                pending.clear();
                pool.shutdown();
            }
        }
    }

    /** A stored fragment, and whether its object was new to the store. */
    private record Stored(FragmentEntry entry, boolean newObject) {
    }

    /** Rows [from, from + count) of a shared batch. */
    private record Slice(Shared batch, int from, int count) {
    }

    /** A batch shared by the fragments that hold its rows; freed when the last one releases it. */
    private static final class Shared {
        final VectorSchemaRoot root;
        private final AtomicInteger references = new AtomicInteger(1);

        Shared(VectorSchemaRoot root) {
            this.root = root;
        }

        void retain() {
            references.incrementAndGet();
        }

        void release() {
            if (references.decrementAndGet() == 0) {
                root.close();
            }
        }
    }
}
