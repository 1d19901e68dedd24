package dev.lode.engine;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import java.lang.management.ManagementFactory;

/**
 * The Arrow allocator of an import or export, with a limit: a hostile file that declares absurdly wide rows (a
 * fixed-size type of gigabytes) is refused by the allocator with an error instead of taking the machine's memory.
 * The limit is the system property {@code lode.arrow.maxBytes}, else half the physical memory, at most 8 GiB and
 * at least 1 GiB. Streaming importers need a small fraction of it.
 */
final class ArrowMemory {
    static final long LIMIT = limit();

    private ArrowMemory() {
    }

    static BufferAllocator rootAllocator() {
        return new RootAllocator(LIMIT);
    }

    private static long limit() {
        Long configured = Long.getLong("lode.arrow.maxBytes");
        if (configured != null && configured > 0) {
            return configured;
        }
        long physical = 16L << 30;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            physical = os.getTotalMemorySize();
        }
        return Math.max(1L << 30, Math.min(8L << 30, physical / 2));
    }
}
