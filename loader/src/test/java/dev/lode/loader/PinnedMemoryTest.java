package dev.lode.loader;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PinnedMemoryTest {

    @Test
    void detectsTheBestModeOfThisMachineAndSaysWhy() {
        List<String> notices = new ArrayList<>();
        try (PinnedMemory memory = PinnedMemory.open(notices::add)) {
            System.out.println(memory.notice());
            assertEquals(List.of(memory.notice()), notices);
            CudaRuntime.Loaded cuda = CudaRuntime.load();
            if (cuda.runtime() != null) {
                assertEquals(PinnedMemory.Mode.CUDA, memory.mode());
                assertTrue(memory.notice().startsWith("lode: pinned memory: cuda (libcudart from "), memory.notice());
                return;
            }
            // Without a usable GPU: mlock when the memlock limit allows a page, else plain; the reason names CUDA's.
            assertTrue(memory.mode() == PinnedMemory.Mode.MLOCK || memory.mode() == PinnedMemory.Mode.PLAIN,
                    memory.notice());
            assertTrue(memory.notice().startsWith("lode: pinned memory: " + memory.mode().token() + " ("
                    + cuda.reason()), memory.notice());
            assertTrue(cuda.reason().startsWith("libcudart"), cuda.reason());
            if (memory.mode() == PinnedMemory.Mode.PLAIN) {
                assertTrue(memory.notice().contains("mlock failed: errno "), memory.notice());
            }
        }
    }

    @Test
    void aMissingLibraryIsNamedInTheReason() {
        CudaRuntime.Loaded loaded = CudaRuntime.find("/nonexistent/libcudart.so");
        assertEquals(null, loaded.runtime());
        assertEquals("libcudart not loadable from LODE_CUDART=/nonexistent/libcudart.so", loaded.reason());
    }

    @Test
    void aLowerCeilingIsHonouredAndExplained() {
        List<String> notices = new ArrayList<>();
        try (PinnedMemory plain = PinnedMemory.open(PinnedMemory.Mode.PLAIN, notices::add)) {
            assertEquals(PinnedMemory.Mode.PLAIN, plain.mode());
            assertEquals("lode: pinned memory: plain (cuda not requested; mlock not requested)", plain.notice());
            MemorySegment segment = plain.allocate(10_000);
            assertEquals(0, plain.pageLockedBytes());
            plain.free(segment);
        }
        try (PinnedMemory locked = PinnedMemory.open(PinnedMemory.Mode.MLOCK, notices::add)) {
            assertTrue(locked.mode() != PinnedMemory.Mode.CUDA, locked.notice());
            assertTrue(locked.notice().contains("cuda not requested"), locked.notice());
        }
    }

    @Test
    void allocationsHaveExactSizesArePageAlignedAndAccountingReturnsToZero() {
        try (PinnedMemory memory = PinnedMemory.open(ignored -> { })) {
            long[] sizes = {1, 63, 4095, 4096, 4097, 1_000_003, 3 * 32 * 32 * 256 + 1};
            List<MemorySegment> segments = new ArrayList<>();
            long total = 0;
            for (long size : sizes) {
                MemorySegment segment = memory.allocate(size);
                assertEquals(size, segment.byteSize());
                assertEquals(0, segment.address() % 4096, "page-aligned");
                segment.set(ValueLayout.JAVA_BYTE, size - 1, (byte) 7);
                segments.add(segment);
                total += size;
                assertEquals(total, memory.allocatedBytes());
            }
            if (memory.mode() != PinnedMemory.Mode.PLAIN) {
                assertEquals(total, memory.pageLockedBytes(), memory.notice());
            }
            for (MemorySegment segment : segments) {
                memory.free(segment);
            }
            assertEquals(0, memory.allocatedBytes());
            assertEquals(0, memory.pageLockedBytes());
        }
    }

    @Test
    void freedMemoryIsInaccessibleAndCannotBeFreedTwice() {
        try (PinnedMemory memory = PinnedMemory.open(ignored -> { })) {
            MemorySegment segment = memory.allocate(128);
            memory.free(segment);
            assertThrows(IllegalStateException.class, () -> segment.get(ValueLayout.JAVA_BYTE, 0));
            IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> memory.free(segment));
            assertTrue(twice.getMessage().endsWith("was not allocated by this PinnedMemory or is already freed"),
                    twice.getMessage());
            IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> memory.allocate(0));
            assertEquals("Cannot allocate 0 bytes of pinned memory: need at least 1", empty.getMessage());
        }
    }

    @Test
    void closeFreesWhatIsLeftAndRejectsLaterAllocations() {
        PinnedMemory memory = PinnedMemory.open(ignored -> { });
        MemorySegment segment = memory.allocate(5000);
        memory.close();
        assertEquals(0, memory.allocatedBytes());
        assertThrows(IllegalStateException.class, () -> segment.get(ValueLayout.JAVA_BYTE, 0));
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> memory.allocate(1));
        assertEquals("PinnedMemory is closed", closed.getMessage());
    }

    @Test
    void threadsMayAllocateAndFreeConcurrently() throws Exception {
        try (PinnedMemory memory = PinnedMemory.open(ignored -> { });
             ExecutorService threads = Executors.newFixedThreadPool(4)) {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                work.add(threads.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        MemorySegment segment = memory.allocate(1 + (thread * 1000 + i) % 9000);
                        segment.fill((byte) thread);
                        memory.free(segment);
                    }
                }));
            }
            for (Future<?> future : work) {
                future.get();
            }
            assertEquals(0, memory.allocatedBytes());
        }
    }
}
