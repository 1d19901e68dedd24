package dev.lode.loader;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * An allocator of page-locked host memory, so that copies to a GPU can use DMA instead of a staging copy. The
 * {@link Mode} is chosen once, when the allocator is opened, from the best that works on this machine:
 * {@link Mode#CUDA} (cudaHostAlloc, when libcudart loads and sees a device), {@link Mode#MLOCK} (page-aligned memory
 * locked with mlock) or {@link Mode#PLAIN} (ordinary off-heap memory). A one-line {@link #notice()} names the mode and
 * why the better ones were not used.
 *
 * <p>Every segment has exactly the requested size, is page-aligned, and becomes inaccessible when freed (its own
 * shared arena is closed). In MLOCK mode a single allocation that exceeds what RLIMIT_MEMLOCK still allows is kept,
 * unlocked, and reported once through the notice sink; {@link #pageLockedBytes()} tells how much is really locked.
 *
 * <p>Thread-safe: any thread may allocate and free. {@link #close()} frees whatever is still allocated.
 */
public final class PinnedMemory implements AutoCloseable {
    /** How memory is page-locked, best first. */
    public enum Mode {
        /** cudaHostAlloc / cudaFreeHost: pinned and registered with the CUDA driver. */
        CUDA,
        /** Page-aligned off-heap memory locked with mlock(2). */
        MLOCK,
        /** Ordinary off-heap memory: pageable. */
        PLAIN;

        public String token() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final long PAGE = 4096;
    private static final AtomicBoolean NOTICE_PRINTED = new AtomicBoolean();

    private final Mode mode;
    private final String notice;
    private final Consumer<String> notices;
    private final CudaRuntime cuda;
    private final Map<Long, Allocation> allocations = new ConcurrentHashMap<>();
    private final AtomicLong allocatedBytes = new AtomicLong();
    private final AtomicLong pageLockedBytes = new AtomicLong();
    private final AtomicBoolean lockFailureReported = new AtomicBoolean();
    private volatile boolean closed;

    private record Allocation(Arena arena, MemorySegment raw, long bytes, boolean locked) {
    }

    private PinnedMemory(Mode mode, String reason, CudaRuntime cuda, Consumer<String> notices) {
        this.mode = mode;
        this.cuda = cuda;
        this.notices = notices;
        this.notice = "lode: pinned memory: " + mode.token() + (reason == null ? "" : " (" + reason + ")");
    }

    /** Opens the best mode available and prints the notice to standard error, once per process. */
    public static PinnedMemory open() {
        PinnedMemory memory = open(Mode.CUDA, line -> {
            if (NOTICE_PRINTED.compareAndSet(false, true)) {
                System.err.println(line);
            }
        });
        return memory;
    }

    /** Opens the best mode available and gives the notice (and later warnings) to notices. */
    public static PinnedMemory open(Consumer<String> notices) {
        return open(Mode.CUDA, notices);
    }

    /**
     * Opens the best mode that is no better than best: {@code open(Mode.MLOCK, ...)} never uses CUDA, and
     * {@code open(Mode.PLAIN, ...)} never locks pages. The notice names the mode and why a better one was not used.
     */
    public static PinnedMemory open(Mode best, Consumer<String> notices) {
        requireNonNull(best, "best is null");
        requireNonNull(notices, "notices is null");
        List<String> reasons = new ArrayList<>();
        PinnedMemory memory = null;
        if (best == Mode.CUDA) {
            CudaRuntime.Loaded loaded = CudaRuntime.load();
            if (loaded.runtime() != null) {
                memory = new PinnedMemory(Mode.CUDA, "libcudart from " + loaded.runtime().library(),
                        loaded.runtime(), notices);
            } else {
                reasons.add(loaded.reason());
            }
        } else {
            reasons.add(Mode.CUDA.token() + " not requested");
        }
        if (memory == null && best != Mode.PLAIN) {
            String lockFailure = Libc.probeLock();
            if (lockFailure == null) {
                memory = new PinnedMemory(Mode.MLOCK, String.join("; ", reasons), null, notices);
            } else {
                reasons.add(lockFailure);
            }
        } else if (memory == null) {
            reasons.add(Mode.MLOCK.token() + " not requested");
        }
        if (memory == null) {
            memory = new PinnedMemory(Mode.PLAIN, String.join("; ", reasons), null, notices);
        }
        notices.accept(memory.notice);
        return memory;
    }

    public Mode mode() {
        return mode;
    }

    /** The line that names the mode and why better modes were not used, e.g. "lode: pinned memory: mlock (...)". */
    public String notice() {
        return notice;
    }

    /**
     * Allocates exactly bytes of page-aligned memory (contents unspecified). The segment must be given back to
     * {@link #free(MemorySegment)}; after that it (and every slice of it) is inaccessible.
     *
     * @throws IllegalArgumentException when bytes is below 1
     * @throws IllegalStateException    when the allocator is closed or the CUDA allocation fails (naming the code)
     */
    public MemorySegment allocate(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("Cannot allocate " + bytes + " bytes of pinned memory: need at least 1");
        }
        ensureOpen();
        Arena arena = Arena.ofShared();
        MemorySegment raw;
        boolean locked;
        try {
            switch (mode) {
                case CUDA -> {
                    raw = cuda.hostAlloc(bytes, CudaRuntime.HOST_ALLOC_PORTABLE);
                    locked = true;
                }
                case MLOCK -> {
                    raw = arena.allocate(bytes, PAGE);
                    String failure = Libc.lock(raw);
                    locked = failure == null;
                    if (!locked && lockFailureReported.compareAndSet(false, true)) {
                        notices.accept("lode: pinned memory: mlock of " + bytes + " bytes failed (" + failure
                                + "); such allocations stay pageable");
                    }
                }
                default -> {
                    raw = arena.allocate(bytes, PAGE);
                    locked = false;
                }
            }
        } catch (RuntimeException failure) {
            arena.close();
            throw failure;
        }
        allocations.put(raw.address(), new Allocation(arena, raw, bytes, locked));
        allocatedBytes.addAndGet(bytes);
        if (locked) {
            pageLockedBytes.addAndGet(bytes);
        }
        // The caller's view dies with the arena, so a use after free fails instead of touching freed memory.
        return raw.reinterpret(bytes, arena, null);
    }

    /**
     * Frees a segment returned by {@link #allocate(long)} (a slice starting at its first byte also works).
     *
     * @throws IllegalArgumentException when the segment was not allocated here or is already freed
     */
    public void free(MemorySegment segment) {
        requireNonNull(segment, "segment is null");
        Allocation allocation = allocations.remove(segment.address());
        if (allocation == null) {
            throw new IllegalArgumentException("Cannot free segment at 0x" + Long.toHexString(segment.address())
                    + ": it was not allocated by this PinnedMemory or is already freed");
        }
        release(allocation);
    }

    private void release(Allocation allocation) {
        try {
            if (mode == Mode.CUDA) {
                // Close first so no view outlives the memory, then give it back to the driver.
                allocation.arena().close();
                cuda.freeHost(allocation.raw());
            } else {
                // The arena owns the memory here: unlock while it still exists.
                if (allocation.locked()) {
                    Libc.unlock(allocation.raw());
                }
                allocation.arena().close();
            }
        } finally {
            allocatedBytes.addAndGet(-allocation.bytes());
            if (allocation.locked()) {
                pageLockedBytes.addAndGet(-allocation.bytes());
            }
        }
    }

    /** Bytes currently allocated and not yet freed (exact sizes, no rounding). */
    public long allocatedBytes() {
        return allocatedBytes.get();
    }

    /** Of {@link #allocatedBytes()}, the bytes that are really page-locked (all in CUDA mode, none in PLAIN). */
    public long pageLockedBytes() {
        return pageLockedBytes.get();
    }

    /** Frees every segment still allocated; later allocations throw. Idempotent. */
    @Override
    public void close() {
        closed = true;
        for (Long address : List.copyOf(allocations.keySet())) {
            Allocation allocation = allocations.remove(address);
            if (allocation != null) {
                release(allocation);
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("PinnedMemory is closed");
        }
    }

    @Override
    public String toString() {
        return "PinnedMemory[mode=" + mode.token() + ", allocated=" + allocatedBytes() + "]";
    }

    /** mlock / munlock / getrlimit through the C library, with errno captured. */
    static final class Libc {
        private static final Linker LINKER = Linker.nativeLinker();
        private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
        private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        private static final int RLIMIT_MEMLOCK = 8;
        private static final MethodHandle MLOCK = downcall("mlock",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), true);
        private static final MethodHandle MUNLOCK = downcall("munlock",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), true);
        private static final MethodHandle GETRLIMIT = downcall("getrlimit",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS), false);
        private static final MethodHandle STRERROR = downcall("strerror",
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT), false);

        private Libc() {
        }

        private static MethodHandle downcall(String name, FunctionDescriptor descriptor, boolean captureErrno) {
            MemorySegment symbol = LINKER.defaultLookup().find(name).orElse(null);
            if (symbol == null) {
                return null;
            }
            return captureErrno
                    ? LINKER.downcallHandle(symbol, descriptor, Linker.Option.captureCallState("errno"))
                    : LINKER.downcallHandle(symbol, descriptor);
        }

        /** Locks and unlocks one page; null when that works, else why not. */
        static String probeLock() {
            if (MLOCK == null || MUNLOCK == null) {
                return "mlock not found in the C library";
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment page = arena.allocate(PAGE, PAGE);
                String failure = lock(page);
                if (failure != null) {
                    return failure;
                }
                unlock(page);
                return null;
            }
        }

        /** mlock(2); null on success, else the errno text and the RLIMIT_MEMLOCK soft limit. */
        static String lock(MemorySegment segment) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = arena.allocate(CAPTURE);
                int result = (int) MLOCK.invokeExact(state, segment, segment.byteSize());
                if (result == 0) {
                    return null;
                }
                int errno = (int) ERRNO.get(state, 0L);
                return "mlock failed: errno " + errno + " " + strerror(errno) + ", RLIMIT_MEMLOCK "
                        + memlockLimit();
            } catch (Throwable unexpected) {
                return "mlock failed: " + unexpected;
            }
        }

        static void unlock(MemorySegment segment) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = arena.allocate(CAPTURE);
                int ignored = (int) MUNLOCK.invokeExact(state, segment, segment.byteSize());
            } catch (Throwable unexpected) {
                throw new IllegalStateException("munlock failed", unexpected);
            }
        }

        private static String strerror(int errno) {
            if (STRERROR == null) {
                return "";
            }
            try {
                MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
                return "(" + text.reinterpret(1024).getString(0) + ")";
            } catch (Throwable unexpected) {
                return "";
            }
        }

        private static String memlockLimit() {
            if (GETRLIMIT == null) {
                return "unknown";
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment limit = arena.allocate(ValueLayout.JAVA_LONG, 2);
                int result = (int) GETRLIMIT.invokeExact(RLIMIT_MEMLOCK, limit);
                long soft = limit.get(ValueLayout.JAVA_LONG, 0);
                return result != 0 ? "unknown" : soft == -1 ? "unlimited" : soft + " bytes";
            } catch (Throwable unexpected) {
                return "unknown";
            }
        }
    }
}
