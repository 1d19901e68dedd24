package dev.lode.loader;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Runs only where libcudart loads and sees a device; elsewhere it is skipped with the reason. */
class CudaPinnedMemoryTest {
    private static final long BANDWIDTH_BYTES = 256L << 20;
    private static final int REPEATS = 5;

    @Test
    void pinnedMemoryRoundTripsThroughTheGpuAndBeatsPageableMemory() {
        CudaRuntime.Loaded loaded = CudaRuntime.load();
        if (loaded.runtime() == null) {
            System.out.println("CudaPinnedMemoryTest skipped: " + loaded.reason());
        }
        assumeTrue(loaded.runtime() != null, () -> "no usable CUDA runtime: " + loaded.reason());
        CudaRuntime cuda = loaded.runtime();
        try (PinnedMemory memory = PinnedMemory.open(ignored -> { });
             Arena arena = Arena.ofConfined()) {
            assertEquals(PinnedMemory.Mode.CUDA, memory.mode(), memory.notice());
            long seed = new Random().nextLong();
            System.out.println("CudaPinnedMemoryTest seed " + seed);
            long bytes = 8L << 20;
            MemorySegment host = memory.allocate(bytes);
            MemorySegment back = memory.allocate(bytes);
            byte[] pattern = new byte[(int) bytes];
            new Random(seed).nextBytes(pattern);
            MemorySegment.copy(pattern, 0, host, ValueLayout.JAVA_BYTE, 0, pattern.length);
            MemorySegment device = cuda.deviceAlloc(bytes);
            try {
                cuda.memcpy(device, host, bytes, CudaRuntime.MEMCPY_HOST_TO_DEVICE);
                cuda.memcpy(back, device, bytes, CudaRuntime.MEMCPY_DEVICE_TO_HOST);
                assertEquals(-1L, host.mismatch(back), "bytes differ after host -> device -> host");
            } finally {
                cuda.deviceFree(device);
                memory.free(host);
                memory.free(back);
            }

            MemorySegment pinned = memory.allocate(BANDWIDTH_BYTES);
            MemorySegment pageable = arena.allocate(BANDWIDTH_BYTES, 4096);
            pinned.fill((byte) 1);
            pageable.fill((byte) 1);
            MemorySegment target = cuda.deviceAlloc(BANDWIDTH_BYTES);
            try {
                double pinnedRate = hostToDevice(cuda, target, pinned);
                double pageableRate = hostToDevice(cuda, target, pageable);
                System.out.printf("host-to-device %d MiB: pinned %.2f GB/s, pageable %.2f GB/s (best of %d)%n",
                        BANDWIDTH_BYTES >> 20, pinnedRate, pageableRate, REPEATS);
            } finally {
                cuda.deviceFree(target);
                memory.free(pinned);
            }
            assertEquals(0, memory.allocatedBytes());
        }
    }

    private static double hostToDevice(CudaRuntime cuda, MemorySegment device, MemorySegment host) {
        cuda.memcpy(device, host, host.byteSize(), CudaRuntime.MEMCPY_HOST_TO_DEVICE); // warm-up
        long best = Long.MAX_VALUE;
        for (int i = 0; i < REPEATS; i++) {
            long start = System.nanoTime();
            // cudaMemcpy from host memory returns once the copy is complete (synchronous for pageable and pinned).
            cuda.memcpy(device, host, host.byteSize(), CudaRuntime.MEMCPY_HOST_TO_DEVICE);
            best = Math.min(best, System.nanoTime() - start);
        }
        return host.byteSize() / (double) best;
    }
}
