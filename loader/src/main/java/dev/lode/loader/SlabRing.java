package dev.lode.loader;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import static java.util.Objects.requireNonNull;

/**
 * A ring of K slabs of exactly slabBytes each, allocated once from a {@link PinnedMemory} and reused: a producer
 * {@link #acquire()}s a free slab, fills it, hands it to a consumer, and the slab becomes free again only when the
 * consumer {@link Slab#close()}s it. Acquiring and closing allocate nothing.
 *
 * <p>Thread-safe. {@link #close()} rejects (throws, and frees nothing) while any slab is still held, so memory a
 * consumer may be reading (for example by an asynchronous GPU copy) is never freed under it; once every slab is back
 * it frees them all, and later acquires throw.
 */
public final class SlabRing implements AutoCloseable {
    private final PinnedMemory memory;
    private final long slabBytes;
    private final Slab[] slabs;
    private final int[] free; // a stack of free slab indices; the first freeCount are valid
    private int freeCount;
    private boolean closed;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition returned = lock.newCondition();

    /** A slab handed out by {@link SlabRing#acquire()}: valid from acquire until close. */
    public static final class Slab implements AutoCloseable {
        private final SlabRing ring;
        private final int index;
        private final MemorySegment segment;
        private boolean held; // guarded by ring.lock

        private Slab(SlabRing ring, int index, MemorySegment segment) {
            this.ring = ring;
            this.index = index;
            this.segment = segment;
        }

        /** The slab's memory, exactly the ring's slab size; do not use it after {@link #close()}. */
        public MemorySegment segment() {
            return segment;
        }

        /** Which of the K slabs this is, 0..K-1. */
        public int index() {
            return index;
        }

        /**
         * Gives the slab back to the ring for reuse.
         *
         * @throws IllegalStateException when it is not held (closed twice)
         */
        @Override
        public void close() {
            ring.giveBack(this);
        }

        @Override
        public String toString() {
            return "Slab[" + index + " of " + ring.slabs.length + ", " + segment.byteSize() + " bytes]";
        }
    }

    /**
     * Allocates slabCount slabs of slabBytes each from memory.
     *
     * @throws IllegalArgumentException when slabCount or slabBytes is below 1
     */
    public SlabRing(PinnedMemory memory, int slabCount, long slabBytes) {
        this.memory = requireNonNull(memory, "memory is null");
        if (slabCount < 1) {
            throw new IllegalArgumentException("A slab ring needs at least 1 slab, got " + slabCount);
        }
        if (slabBytes < 1) {
            throw new IllegalArgumentException("Slabs need at least 1 byte, got " + slabBytes);
        }
        this.slabBytes = slabBytes;
        this.slabs = new Slab[slabCount];
        this.free = new int[slabCount];
        try {
            for (int i = 0; i < slabCount; i++) {
                slabs[i] = new Slab(this, i, memory.allocate(slabBytes));
            }
        } catch (RuntimeException failure) {
            for (Slab slab : slabs) {
                if (slab != null) {
                    memory.free(slab.segment);
                }
            }
            throw failure;
        }
        // Lowest index on top of the stack, so a fresh ring hands out slab 0 first.
        for (int i = 0; i < slabCount; i++) {
            free[i] = slabCount - 1 - i;
        }
        freeCount = slabCount;
    }

    public int slabCount() {
        return slabs.length;
    }

    public long slabBytes() {
        return slabBytes;
    }

    /** Slabs free right now (a snapshot). */
    public int freeSlabs() {
        lock.lock();
        try {
            return freeCount;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes a free slab, waiting until a consumer closes one.
     *
     * @throws InterruptedException  when interrupted while waiting
     * @throws IllegalStateException when the ring is closed
     */
    public Slab acquire() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (freeCount == 0 && !closed) {
                returned.await();
            }
            return take();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes a free slab, waiting at most timeout; returns null when none came free in time.
     *
     * @throws InterruptedException  when interrupted while waiting
     * @throws IllegalStateException when the ring is closed
     */
    public Slab tryAcquire(long timeout, TimeUnit unit) throws InterruptedException {
        long remaining = unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            while (freeCount == 0 && !closed) {
                if (remaining <= 0) {
                    return null;
                }
                remaining = returned.awaitNanos(remaining);
            }
            return take();
        } finally {
            lock.unlock();
        }
    }

    private Slab take() {
        if (closed) {
            throw new IllegalStateException("Cannot acquire a slab: the slab ring is closed");
        }
        Slab slab = slabs[free[--freeCount]];
        slab.held = true;
        return slab;
    }

    private void giveBack(Slab slab) {
        lock.lock();
        try {
            if (!slab.held) {
                throw new IllegalStateException("Slab " + slab.index + " is not held: closed twice?");
            }
            slab.held = false;
            free[freeCount++] = slab.index;
            returned.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Frees every slab. Idempotent.
     *
     * @throws IllegalStateException naming the held slabs when any is not yet closed; the ring then stays open
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            if (freeCount != slabs.length) {
                StringBuilder held = new StringBuilder();
                for (Slab slab : slabs) {
                    if (slab.held) {
                        held.append(held.isEmpty() ? "" : ", ").append(slab.index);
                    }
                }
                throw new IllegalStateException("Cannot close the slab ring: " + (slabs.length - freeCount) + " of "
                        + slabs.length + " slabs are still held (slabs " + held + "); close them first");
            }
            closed = true;
            returned.signalAll();
            for (Slab slab : slabs) {
                memory.free(slab.segment);
            }
        } finally {
            lock.unlock();
        }
    }
}
