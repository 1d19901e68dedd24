package dev.lode.loader;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlabRingTest {

    @Test
    void slabsHaveExactSizesAndComeFromThePinnedMemory() {
        try (PinnedMemory memory = PinnedMemory.open(ignored -> { })) {
            try (SlabRing ring = new SlabRing(memory, 3, 12_345)) {
                assertEquals(3 * 12_345L, memory.allocatedBytes());
                try (SlabRing.Slab slab = ring.acquire()) {
                    assertEquals(12_345, slab.segment().byteSize());
                    assertEquals(0, slab.index());
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
            assertEquals(0, memory.allocatedBytes());
        }
    }

    @Test
    void acquireBlocksWhileAllSlabsAreHeldAndResumesWhenOneIsClosed() throws Exception {
        try (PinnedMemory memory = PinnedMemory.open(ignored -> { });
             SlabRing ring = new SlabRing(memory, 2, 4096)) {
            SlabRing.Slab first = ring.acquire();
            SlabRing.Slab second = ring.acquire();
            assertEquals(0, ring.freeSlabs());
            assertNull(ring.tryAcquire(50, TimeUnit.MILLISECONDS), "no slab may come free while both are held");

            CountDownLatch waiting = new CountDownLatch(1);
            CompletableFuture<SlabRing.Slab> blocked = CompletableFuture.supplyAsync(() -> {
                waiting.countDown();
                try {
                    return ring.acquire();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            assertTrue(waiting.await(5, TimeUnit.SECONDS));
            assertThrows(java.util.concurrent.TimeoutException.class,
                    () -> blocked.get(100, TimeUnit.MILLISECONDS));
            assertFalse(blocked.isDone());

            second.close();
            SlabRing.Slab resumed = blocked.get(5, TimeUnit.SECONDS);
            assertSame(second, resumed, "the closed slab is the one reused");
            resumed.close();
            first.close();
            assertEquals(2, ring.freeSlabs());
        }
    }

    @Test
    void aWaitingAcquireCanBeInterrupted() throws Exception {
        try (PinnedMemory memory = PinnedMemory.open(ignored -> { });
             SlabRing ring = new SlabRing(memory, 1, 64)) {
            SlabRing.Slab held = ring.acquire();
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread waiter = new Thread(() -> {
                try {
                    ring.acquire();
                } catch (Throwable thrown) {
                    outcome.set(thrown);
                }
            });
            waiter.start();
            waiter.interrupt();
            waiter.join(5000);
            assertFalse(waiter.isAlive());
            assertTrue(outcome.get() instanceof InterruptedException, String.valueOf(outcome.get()));
            held.close();
        }
    }

    @Test
    void closeIsRejectedWhileSlabsAreHeldAndFreesEverythingAfterwards() throws Exception {
        try (PinnedMemory memory = PinnedMemory.open(ignored -> { })) {
            SlabRing ring = new SlabRing(memory, 4, 1000);
            SlabRing.Slab first = ring.acquire();
            SlabRing.Slab second = ring.acquire();
            IllegalStateException rejected = assertThrows(IllegalStateException.class, ring::close);
            assertEquals("Cannot close the slab ring: 2 of 4 slabs are still held (slabs 0, 1); close them first",
                    rejected.getMessage());
            assertEquals(4000, memory.allocatedBytes());
            first.close();
            second.close();
            IllegalStateException twice = assertThrows(IllegalStateException.class, second::close);
            assertEquals("Slab 1 is not held: closed twice?", twice.getMessage());
            ring.close();
            assertEquals(0, memory.allocatedBytes());
            IllegalStateException closed = assertThrows(IllegalStateException.class, ring::acquire);
            assertEquals("Cannot acquire a slab: the slab ring is closed", closed.getMessage());
        }
    }

    @Test
    void tenThousandCyclesAllocateNoPinnedMemory() throws Exception {
        try (PinnedMemory memory = PinnedMemory.open(ignored -> { });
             SlabRing ring = new SlabRing(memory, 3, 8192)) {
            long before = memory.allocatedBytes();
            for (int i = 0; i < 10_000; i++) {
                SlabRing.Slab a = ring.acquire();
                SlabRing.Slab b = ring.acquire();
                a.segment().set(java.lang.foreign.ValueLayout.JAVA_INT, 0, i);
                b.close();
                a.close();
            }
            assertEquals(before, memory.allocatedBytes());
            assertEquals(3, ring.freeSlabs());
        }
    }
}
