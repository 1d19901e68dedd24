package dev.lode.engine;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Re-applies local commits on top of a remote branch head. A commit's change is the fragments it removed from and
 * added to its parent's manifest; applying it to another manifest removes those fragments (each must still be
 * there) and appends the added ones in order. Schemas and fragmenting must agree, else the rebase stops with a
 * message naming the commit. The rebased commits keep author, time, message and lineage.
 */
final class Rebasing {
    private Rebasing() {
    }

    static ObjectId rebase(Repository repository, ObjectId localTip, ObjectId onto, Set<ObjectId> ontoHistory)
            throws IOException {
        List<ObjectId> toApply = new ArrayList<>();
        ObjectId cursor = localTip;
        while (!ontoHistory.contains(cursor)) {
            toApply.add(cursor);
            Optional<ObjectId> parent = repository.readCommit(cursor).firstParent();
            if (parent.isEmpty()) {
                throw new LodeException("Cannot rebase: local commit " + cursor.abbreviated()
                        + " shares no history with the remote branch");
            }
            cursor = parent.get();
        }
        Collections.reverse(toApply);
        ObjectId tip = onto;
        for (ObjectId id : toApply) {
            Commit commit = repository.readCommit(id);
            Manifest before = repository.readManifest(repository.readCommit(commit.firstParent().orElseThrow())
                    .manifest());
            Manifest after = repository.readManifest(commit.manifest());
            Manifest base = repository.readManifest(repository.readCommit(tip).manifest());
            Manifest applied = apply(id, before, after, base);
            ObjectId manifestId = repository.objects().put(applied.toBytes());
            Commit rebased = new Commit(commit.dataset(), manifestId, List.of(tip), commit.author(), commit.time(),
                    commit.message(), commit.lineage());
            tip = repository.objects().put(rebased.toBytes());
        }
        return tip;
    }

    static Manifest apply(ObjectId commit, Manifest before, Manifest after, Manifest base) {
        if (!after.schema().equals(base.schema())) {
            throw new LodeException("Cannot rebase commit " + commit.abbreviated()
                    + ": its schema differs from the remote branch's; import it again on top of the remote");
        }
        if (after.fragmentRows() != base.fragmentRows()) {
            throw new LodeException("Cannot rebase commit " + commit.abbreviated()
                    + ": its fragment size differs from the remote branch's");
        }
        Map<ObjectId, Integer> remaining = new HashMap<>();
        before.fragments().forEach(f -> remaining.merge(f.object(), 1, Integer::sum));
        List<FragmentEntry> added = new ArrayList<>();
        for (FragmentEntry fragment : after.fragments()) {
            if (remaining.getOrDefault(fragment.object(), 0) > 0) {
                remaining.merge(fragment.object(), -1, Integer::sum);
            } else {
                added.add(fragment);
            }
        }
        List<FragmentEntry> result = new ArrayList<>(base.fragments());
        for (Map.Entry<ObjectId, Integer> removed : remaining.entrySet()) {
            for (int i = 0; i < removed.getValue(); i++) {
                int at = indexOf(result, removed.getKey());
                if (at < 0) {
                    throw new LodeException("Cannot rebase commit " + commit.abbreviated() + ": it removes fragment "
                            + removed.getKey().abbreviated() + ", which the remote branch no longer has");
                }
                result.remove(at);
            }
        }
        result.addAll(added);
        long rows = 0;
        for (FragmentEntry fragment : result) {
            rows += fragment.rows();
        }
        return new Manifest(base.schema(), result, rows, base.fragmentRows());
    }

    private static int indexOf(List<FragmentEntry> fragments, ObjectId id) {
        for (int i = 0; i < fragments.size(); i++) {
            if (fragments.get(i).object().equals(id)) {
                return i;
            }
        }
        return -1;
    }
}
