package dev.lode.engine;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The behaviour every {@link RefStore} must have; each backend's test extends this. */
public abstract class RefStoreContract {
    @TempDir
    protected Path temporary;

    protected RefStore refs;

    protected abstract RefStore createStore() throws Exception;

    @BeforeEach
    void open() throws Exception {
        refs = createStore();
    }

    @AfterEach
    void close() throws Exception {
        refs.close();
    }

    protected static ObjectId id(int n) {
        return ObjectId.hashOf(("commit " + n).getBytes(StandardCharsets.UTF_8));
    }

    protected static RefLogEntry entry(ObjectId from, ObjectId to, String command) {
        return RefLogEntry.of(from, to, Instant.parse("2026-01-01T00:00:00Z"), "tester", command);
    }

    @Test
    void missingRefReadsEmpty() throws Exception {
        assertEquals(Optional.empty(), refs.read(RefName.branch("cifar", "main")));
        assertEquals(List.of(), refs.log(RefName.branch("cifar", "main")));
    }

    @Test
    void createMoveAndDelete() throws Exception {
        RefName main = RefName.branch("cifar", "main");
        assertEquals(CasResult.SUCCESS, refs.compareAndSet(main, null, id(1), entry(null, id(1), "create")));
        assertEquals(Optional.of(id(1)), refs.read(main));
        assertEquals(CasResult.SUCCESS, refs.compareAndSet(main, id(1), id(2), entry(id(1), id(2), "move")));
        assertEquals(Optional.of(id(2)), refs.read(main));
        assertEquals(CasResult.SUCCESS, refs.compareAndSet(main, id(2), null, entry(id(2), null, "delete")));
        assertEquals(Optional.empty(), refs.read(main));
        List<RefLogEntry> log = refs.log(main);
        assertEquals(List.of("create", "move", "delete"), log.stream().map(RefLogEntry::command).toList());
        assertEquals(Optional.of(id(1)), log.get(1).oldTarget());
        assertEquals(Optional.of(id(2)), log.get(1).newTarget());
        List<RefName> logged = new ArrayList<>();
        refs.listLogged(logged::add);
        assertEquals(List.of(main), logged, "the log outlives the deleted ref");
    }

    @Test
    void staleExpectationIsAConflictAndWritesNothing() throws Exception {
        RefName main = RefName.branch("cifar", "main");
        refs.compareAndSet(main, null, id(1), entry(null, id(1), "create"));
        assertEquals(CasResult.CONFLICT, refs.compareAndSet(main, null, id(2), entry(null, id(2), "x")));
        assertEquals(CasResult.CONFLICT, refs.compareAndSet(main, id(3), id(2), entry(id(3), id(2), "x")));
        assertEquals(Optional.of(id(1)), refs.read(main));
        assertEquals(1, refs.log(main).size());
        assertEquals(CasResult.CONFLICT, refs.compareAndSet(RefName.branch("cifar", "dev"), id(1), id(2),
                entry(id(1), id(2), "x")), "expecting a value of a missing ref conflicts");
    }

    @Test
    void settingTheSameValueIsNoChange() throws Exception {
        RefName main = RefName.branch("cifar", "main");
        refs.compareAndSet(main, null, id(1), entry(null, id(1), "create"));
        assertEquals(CasResult.NO_CHANGE, refs.compareAndSet(main, id(1), id(1), entry(id(1), id(1), "same")));
        assertEquals(1, refs.log(main).size());
    }

    @Test
    void listShowsBranchesAndTagsOfEveryDataset() throws Exception {
        List<RefName> names = List.of(RefName.branch("cifar", "main"), RefName.branch("cifar", "feature/x"),
                RefName.tag("cifar", "v1"), RefName.branch("vision/imagenet", "main"),
                RefName.tag("vision/imagenet", "release/2026"));
        for (int i = 0; i < names.size(); i++) {
            refs.compareAndSet(names.get(i), null, id(i), entry(null, id(i), "create"));
        }
        List<Ref> listed = new ArrayList<>();
        refs.list(listed::add);
        assertEquals(names.size(), listed.size());
        for (int i = 0; i < names.size(); i++) {
            assertTrue(listed.contains(new Ref(names.get(i), id(i))), "missing " + names.get(i));
        }
    }

    @Test
    void concurrentMovesLoseNoUpdate() throws Exception {
        RefName counter = RefName.branch("race", "main");
        int threads = 4;
        int movesEach = 25;
        refs.compareAndSet(counter, null, id(0), entry(null, id(0), "create"));
        AtomicInteger next = new AtomicInteger(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> conflicts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                conflicts.add(pool.submit(() -> {
                    int lost = 0;
                    for (int i = 0; i < movesEach; i++) {
                        ObjectId update = id(1000 + next.getAndIncrement());
                        while (true) {
                            ObjectId current = refs.read(counter).orElseThrow();
                            CasResult result = refs.compareAndSet(counter, current, update,
                                    entry(current, update, "race"));
                            if (result == CasResult.SUCCESS) {
                                break;
                            }
                            lost++;
                        }
                    }
                    return lost;
                }));
            }
            for (Future<Integer> conflict : conflicts) {
                conflict.get();
            }
        } finally {
            pool.shutdownNow();
        }
        List<RefLogEntry> log = refs.log(counter);
        assertEquals(1 + threads * movesEach, log.size(), "every successful move is logged exactly once");
        for (int i = 1; i < log.size(); i++) {
            assertEquals(log.get(i - 1).newTarget(), log.get(i).oldTarget(), "log entry " + i + " is a chain");
        }
        assertEquals(log.getLast().newTarget(), refs.read(counter));
    }
}
