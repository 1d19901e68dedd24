package dev.lode.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Refs in memory; every operation holds the store's monitor. */
final class MemoryRefStore implements RefStore {
    private final Map<RefName, ObjectId> refs = new TreeMap<>();
    private final Map<RefName, List<RefLogEntry>> logs = new TreeMap<>();

    @Override
    public synchronized Optional<ObjectId> read(RefName name) {
        return Optional.ofNullable(refs.get(name));
    }

    @Override
    public synchronized CasResult compareAndSet(RefName name, ObjectId expected, ObjectId update,
                                                RefLogEntry entry) {
        ObjectId current = refs.get(name);
        if (!java.util.Objects.equals(current, expected)) {
            return CasResult.CONFLICT;
        }
        if (java.util.Objects.equals(current, update)) {
            return CasResult.NO_CHANGE;
        }
        logs.computeIfAbsent(name, key -> new ArrayList<>()).add(entry);
        if (update == null) {
            refs.remove(name);
        } else {
            refs.put(name, update);
        }
        return CasResult.SUCCESS;
    }

    @Override
    public synchronized void list(Consumer<Ref> action) {
        List.copyOf(refs.entrySet()).forEach(e -> action.accept(new Ref(e.getKey(), e.getValue())));
    }

    @Override
    public synchronized List<RefLogEntry> log(RefName name) {
        return List.copyOf(logs.getOrDefault(name, List.of()));
    }

    @Override
    public synchronized void listLogged(Consumer<RefName> action) {
        List.copyOf(logs.keySet()).forEach(action);
    }

    @Override
    public String describe() {
        return "memory";
    }
}
