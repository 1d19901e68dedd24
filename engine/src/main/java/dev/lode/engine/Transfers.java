package dev.lode.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

import static java.util.Objects.requireNonNull;

/**
 * Push and pull between two repositories (local and remote, or any two). Objects always travel before the refs
 * that name them, and for each commit in the order fragments, manifest, commit, parents before children. So a
 * repository that has a commit has everything it needs, an interrupted transfer resumes by sending only what is
 * missing, and no ref ever points at a commit whose objects are absent.
 */
public final class Transfers {
    /** For {@link #copyObject}: no declared size to check. */
    private static final long ANY_SIZE = -1;

    private final Repository source;
    private final Repository target;
    private final int parallelism;
    private final Listener listener;
    private final AtomicLong objectsSent = new AtomicLong();
    private final AtomicLong bytesSent = new AtomicLong();

    /** Told what a transfer will move (once, before anything moves) and each object as it arrives. */
    public interface Listener {
        /** The objects and fragment bytes the target lacks; manifests and commits count as objects only. */
        void planned(long objects, long bytes);

        /** One object of {@code bytes} bytes arrived at the target. Called from transfer threads. */
        void arrived(long bytes);
    }

    /**
     * @param parallelism how many objects move at once
     * @param progress    told the size of every object as it arrives
     */
    public Transfers(Repository source, Repository target, int parallelism, LongConsumer progress) {
        this(source, target, parallelism, new Listener() {
            @Override
            public void planned(long objects, long bytes) {
            }

            @Override
            public void arrived(long bytes) {
                progress.accept(bytes);
            }
        });
        requireNonNull(progress, "progress is null");
    }

    /** @param parallelism how many objects move at once */
    public Transfers(Repository source, Repository target, int parallelism, Listener listener) {
        this.source = requireNonNull(source, "source is null");
        this.target = requireNonNull(target, "target is null");
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1");
        }
        this.parallelism = parallelism;
        this.listener = requireNonNull(listener, "listener is null");
    }

    public long objectsSent() {
        return objectsSent.get();
    }

    public long bytesSent() {
        return bytesSent.get();
    }

    /** What happened to one ref. */
    public record RefUpdate(RefName name, Optional<ObjectId> before, ObjectId after, Status status, String detail) {
        public enum Status { CREATED, FAST_FORWARD, UP_TO_DATE, REBASED, FETCHED }
    }

    /**
     * What a transfer of a history moves: the commits the target lacks (parents before children), their
     * manifests, and the fragments the target lacks. One walk of the history makes it; it sizes progress and
     * drives the copy.
     *
     * @param commits          missing commits, parents before children
     * @param manifests        the manifest of each missing commit, in the same order (repeats possible)
     * @param missingFragments fragments to send, each once
     * @param presentFragments fragments the target has already (touched, not sent)
     * @param fragmentBytes    the bytes of the missing fragments
     * @param declaredBytes    each missing fragment's size as its manifest declares it; a copy must match it
     */
    public record Plan(List<ObjectId> commits, List<ObjectId> manifests, List<ObjectId> missingFragments,
                       List<ObjectId> presentFragments, long fragmentBytes, Map<ObjectId, Long> declaredBytes) {
        public Plan {
            declaredBytes = Map.copyOf(declaredBytes);
            for (ObjectId fragment : missingFragments) {
                if (!declaredBytes.containsKey(fragment)) {
                    throw new IllegalArgumentException("no declared size for fragment " + fragment);
                }
            }
            commits = List.copyOf(commits);
            manifests = List.copyOf(manifests);
            missingFragments = List.copyOf(missingFragments);
            presentFragments = List.copyOf(presentFragments);
            if (commits.size() != manifests.size()) {
                throw new IllegalArgumentException("one manifest per commit expected, got " + manifests.size()
                        + " for " + commits.size());
            }
            if (fragmentBytes < 0) {
                throw new IllegalArgumentException("fragmentBytes is negative: " + fragmentBytes);
            }
        }

        /** Objects at most to send: fragments, manifests (distinct) and commits. */
        public long objects() {
            return missingFragments.size() + new HashSet<>(manifests).size() + commits.size();
        }
    }

    /** Walks {@code tip}'s history once and lists what the target lacks (see {@link Plan}). */
    public Plan plan(ObjectId tip) throws IOException {
        Map<ObjectId, Commit> read = new HashMap<>();
        List<ObjectId> commits = missingCommits(tip, read);
        List<ObjectId> manifests = new ArrayList<>(commits.size());
        Set<ObjectId> fragments = new LinkedHashSet<>();
        Map<ObjectId, Long> sizes = new HashMap<>();
        for (ObjectId commitId : commits) {
            Commit commit = read.get(commitId);
            manifests.add(commit.manifest());
            for (FragmentEntry fragment : source.readManifest(commit.manifest()).fragments()) {
                fragments.add(fragment.object());
                sizes.putIfAbsent(fragment.object(), fragment.bytes());
            }
        }
        // One existence check per fragment, in parallel: on S3 each is a round trip.
        List<ObjectId> candidates = new ArrayList<>(fragments);
        List<Future<Boolean>> checks = new ArrayList<>(candidates.size());
        ExecutorService pool = Executors.newFixedThreadPool(parallelism, Thread.ofVirtual().factory());
        try {
            for (ObjectId fragment : candidates) {
                checks.add(pool.submit(() -> target.objects().store().contains(fragment)));
            }
            List<ObjectId> missing = new ArrayList<>();
            List<ObjectId> present = new ArrayList<>();
            long bytes = 0;
            for (int i = 0; i < candidates.size(); i++) {
                if (await(checks.get(i))) {
                    present.add(candidates.get(i));
                } else {
                    missing.add(candidates.get(i));
                    bytes += sizes.get(candidates.get(i));
                }
            }
            return new Plan(commits, manifests, missing, present, bytes, sizes);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Copies every object of {@code tip}'s history that the target lacks. Stops descending at commits the target
     * has, which by the ordering rule are complete there.
     */
    public void copyHistory(ObjectId tip) throws IOException {
        copy(plan(tip));
    }

    /**
     * Copies what a plan lists: all missing fragments in parallel, then each commit's manifest and the commit,
     * parents first. No commit arrives before every object it needs.
     */
    public void copy(Plan plan) throws IOException {
        listener.planned(plan.objects(), plan.fragmentBytes());
        ObjectStore to = target.objects().store();
        for (ObjectId present : plan.presentFragments()) {
            to.touch(present);
        }
        ExecutorService pool = Executors.newFixedThreadPool(parallelism, Thread.ofVirtual().factory());
        try {
            List<Future<?>> pending = new ArrayList<>();
            for (ObjectId fragment : plan.missingFragments()) {
                pending.add(pool.submit(() -> {
                    long declared = plan.declaredBytes().get(fragment);
                    send(fragment, declared, declared);
                    return null;
                }));
            }
            await(pending);
        } finally {
            // On failure, cancel what is queued and wait for uploads in flight: once this method returns or
            // throws, nothing of this transfer is still writing.
            pool.shutdownNow();
            try {
                if (!pool.awaitTermination(5, java.util.concurrent.TimeUnit.MINUTES)) {
                    throw new LodeException("Transfer workers did not stop within 5 minutes");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (int i = 0; i < plan.commits().size(); i++) {
            copyObject(plan.manifests().get(i), Manifest.MAX_BYTES, ANY_SIZE);
            copyObject(plan.commits().get(i), Commit.MAX_BYTES, ANY_SIZE);
        }
    }

    /** Commits of {@code tip}'s history missing from the target, parents before children. */
    private List<ObjectId> missingCommits(ObjectId tip, Map<ObjectId, Commit> read) throws IOException {
        List<ObjectId> ordered = new ArrayList<>();
        Set<ObjectId> seen = new HashSet<>();
        ArrayDeque<ObjectId[]> stack = new ArrayDeque<>();
        stack.push(new ObjectId[] {tip, null});
        while (!stack.isEmpty()) {
            ObjectId[] frame = stack.pop();
            ObjectId id = frame[0];
            if (frame[1] != null) {
                ordered.add(id);
                continue;
            }
            if (!seen.add(id) || target.objects().store().contains(id)) {
                continue;
            }
            stack.push(new ObjectId[] {id, id});
            Commit commit = source.readCommit(id);
            read.put(id, commit);
            for (ObjectId parent : commit.parents()) {
                stack.push(new ObjectId[] {parent, null});
            }
        }
        return ordered;
    }

    /**
     * Copies one object the target lacks, reading at most {@code maxBytes} from the source; if {@code exactBytes} is
     * not {@link #ANY_SIZE}, the object must have exactly that size (a fragment's size declared in its manifest).
     */
    private void copyObject(ObjectId id, long maxBytes, long exactBytes) throws IOException {
        ObjectStore to = target.objects().store();
        if (to.contains(id)) {
            to.touch(id);
            return;
        }
        send(id, maxBytes, exactBytes);
    }

    /**
     * Copies an object the plan found missing (reading at most {@code maxBytes}, and exactly {@code exactBytes}
     * unless {@link #ANY_SIZE}); should it have arrived meanwhile, the put says so.
     */
    private void send(ObjectId id, long maxBytes, long exactBytes) throws IOException {
        ObjectStore to = target.objects().store();
        Path staged = target.objects().newTemporaryFile("transfer");
        try {
            source.objects().copyTo(id, staged, maxBytes);
            if (exactBytes != ANY_SIZE && Files.size(staged) != exactBytes) {
                throw new LodeException("Object " + id + " in " + source.objects().store().describe() + " is "
                        + Files.size(staged) + " bytes, but its manifest declares " + exactBytes);
            }
            if (to.putIfAbsent(id, staged)) {
                long size = Files.size(staged);
                objectsSent.incrementAndGet();
                bytesSent.addAndGet(size);
                listener.arrived(size);
            }
        } finally {
            Files.deleteIfExists(staged);
        }
    }

    private static void await(List<Future<?>> pending) throws IOException {
        for (Future<?> future : pending) {
            await(future);
        }
    }

    private static <T> T await(Future<T> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LodeException("Interrupted while transferring objects");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof java.io.UncheckedIOException io) {
                throw io.getCause();
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException(cause);
        }
    }

    // ------------------------------------------------------------------ push

    /**
     * Pushes a local branch or tag: objects first, then the remote ref by compare-and-set. A remote branch that is
     * not an ancestor of the local one is rejected with advice; a remote tag with another target is an error.
     */
    public RefUpdate push(RefName ref, String user, String command) throws IOException {
        ObjectId local = source.refs().read(ref).orElseThrow(() -> new LodeException("No " + describe(ref)
                + " in the local repository"));
        Optional<ObjectId> remote = target.refs().read(ref);
        if (remote.isPresent() && remote.get().equals(local)) {
            return new RefUpdate(ref, remote, local, RefUpdate.Status.UP_TO_DATE, "");
        }
        if (ref.isTag() && remote.isPresent()) {
            throw new LodeException("Cannot push " + describe(ref) + ": the remote tag points to "
                    + remote.get().abbreviated() + ", not " + local.abbreviated() + "; tags are immutable");
        }
        if (remote.isPresent() && !ancestors(source, local).contains(remote.get())) {
            throw new LodeException("Push of " + describe(ref) + " rejected: the remote branch moved to "
                    + remote.get().abbreviated() + ", which the local branch does not contain; run 'lode pull --rebase "
                    + ref.dataset() + "@" + ref.name() + "' and push again");
        }
        copyHistory(local);
        CasResult result = target.refs().compareAndSet(ref, remote.orElse(null), local,
                RefLogEntry.of(remote.orElse(null), local, java.time.Instant.now(), user, command));
        if (result == CasResult.CONFLICT) {
            throw new LodeException("Push of " + describe(ref) + " rejected: the remote branch moved while pushing; "
                    + "run 'lode pull --rebase " + ref.dataset() + "@" + ref.name() + "' and push again");
        }
        return new RefUpdate(ref, remote, local,
                remote.isPresent() ? RefUpdate.Status.FAST_FORWARD : RefUpdate.Status.CREATED, "");
    }

    // ------------------------------------------------------------------ pull

    /**
     * Fetches what a remote revision needs, then updates the local ref of the same name: creates it, fast-forwards
     * it, or (with {@code rebase}) re-applies local commits on top of the remote branch. A commit named by hash is
     * fetched without touching any ref.
     */
    public RefUpdate pull(Revision revision, boolean rebase, String user, String command) throws IOException {
        ResolvedRevision remote = source.resolve(revision);
        copyHistory(remote.commitId());
        if (remote.ref().isEmpty()) {
            return new RefUpdate(RefName.branch(revision.dataset(), Revision.DEFAULT_BRANCH), Optional.empty(),
                    remote.commitId(), RefUpdate.Status.FETCHED, "commit " + remote.commitId().hex());
        }
        RefName ref = remote.ref().get();
        ObjectId wanted = remote.commitId();
        Optional<ObjectId> local = target.refs().read(ref);
        if (ref.isTag()) {
            if (local.isPresent() && !local.get().equals(wanted)) {
                throw new LodeException("Cannot pull " + describe(ref) + ": the local tag points to "
                        + local.get().abbreviated() + ", the remote one to " + wanted.abbreviated()
                        + "; tags are immutable");
            }
            if (local.isEmpty()) {
                target.tag(ref, wanted, user, command);
                return new RefUpdate(ref, local, wanted, RefUpdate.Status.CREATED, "");
            }
            return new RefUpdate(ref, local, wanted, RefUpdate.Status.UP_TO_DATE, "");
        }
        if (local.isEmpty()) {
            requireSuccess(ref, target.refs().compareAndSet(ref, null, wanted,
                    RefLogEntry.of(null, wanted, java.time.Instant.now(), user, command)));
            return new RefUpdate(ref, local, wanted, RefUpdate.Status.CREATED, "");
        }
        if (local.get().equals(wanted)) {
            return new RefUpdate(ref, local, wanted, RefUpdate.Status.UP_TO_DATE, "");
        }
        Set<ObjectId> remoteHistory = ancestors(target, wanted);
        if (remoteHistory.contains(local.get())) {
            requireSuccess(ref, target.refs().compareAndSet(ref, local.get(), wanted,
                    RefLogEntry.of(local.get(), wanted, java.time.Instant.now(), user, command)));
            return new RefUpdate(ref, local, wanted, RefUpdate.Status.FAST_FORWARD, "");
        }
        if (ancestors(target, local.get()).contains(wanted)) {
            return new RefUpdate(ref, local, local.get(), RefUpdate.Status.UP_TO_DATE, "local branch is ahead");
        }
        if (!rebase) {
            throw new LodeException("Local " + describe(ref) + " and the remote have diverged; run 'lode pull "
                    + "--rebase " + ref.dataset() + "@" + ref.name() + "' to re-apply local commits on the remote's");
        }
        ObjectId rebased = Rebasing.rebase(target, local.get(), wanted, remoteHistory);
        requireSuccess(ref, target.refs().compareAndSet(ref, local.get(), rebased,
                RefLogEntry.of(local.get(), rebased, java.time.Instant.now(), user, command)));
        return new RefUpdate(ref, local, rebased, RefUpdate.Status.REBASED, "");
    }

    private static void requireSuccess(RefName ref, CasResult result) {
        if (result == CasResult.CONFLICT) {
            throw new LodeException("Local " + describe(ref) + " moved during the pull; nothing was changed, run it "
                    + "again");
        }
    }

    /** Every commit reachable from {@code tip} in {@code repository}, {@code tip} included. */
    static Set<ObjectId> ancestors(Repository repository, ObjectId tip) throws IOException {
        Set<ObjectId> seen = new LinkedHashSet<>();
        ArrayDeque<ObjectId> queue = new ArrayDeque<>(List.of(tip));
        while (!queue.isEmpty()) {
            ObjectId id = queue.poll();
            if (seen.add(id) && repository.objects().store().contains(id)) {
                queue.addAll(repository.readCommit(id).parents());
            }
        }
        return seen;
    }

    static String describe(RefName ref) {
        return (ref.isTag() ? "tag " : "branch ") + ref.dataset() + "@" + ref.name();
    }
}
