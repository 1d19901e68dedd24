package dev.lode.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * A Lode repository: an object database and a ref store, plus (for local repositories) a RocksDB index that
 * caches hashes and conversions. Thread-safe; several processes may use one local repository at once, since every
 * ref move is a compare-and-set and objects are immutable.
 */
public final class Repository implements AutoCloseable {
    public static final String FOLDER = ".lode";
    public static final String VERSION = "0.1.0";
    static final int FORMAT = 1;
    private static final int MAX_COMMIT_ATTEMPTS = 12;

    private final Path root;
    private final ObjectDatabase objects;
    private final RefStore refs;
    private final Clock clock;
    private final Object indexLock = new Object();
    private Optional<LocalIndex> index;

    private Repository(Path root, ObjectStore objectStore, RefStore refs, Clock clock) throws IOException {
        this.root = root;
        this.objects = new ObjectDatabase(objectStore, root.resolve("tmp"));
        this.refs = refs;
        this.clock = clock;
    }

    /** Creates {@code folder/.lode} and opens it. An existing repository there is an error. */
    public static Repository init(Path folder) throws IOException {
        Path root = folder.resolve(FOLDER);
        if (Files.exists(root.resolve("config.json"))) {
            throw new LodeException("A Lode repository already exists at " + root);
        }
        Files.createDirectories(root);
        for (String sub : List.of("objects", "refs", "logs", "tmp")) {
            Files.createDirectories(root.resolve(sub));
        }
        writeConfigFile(root, RepositoryConfig.empty());
        return open(root);
    }

    /** Opens the repository whose {@code .lode} folder (or a folder containing one) is given. */
    public static Repository open(Path path) throws IOException {
        Path root = Files.isDirectory(path.resolve(FOLDER)) ? path.resolve(FOLDER) : path;
        Path config = root.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw new LodeException("Not a Lode repository: " + path + " (no " + FOLDER + "/config.json; run lode init)");
        }
        RepositoryConfig.read(config);
        return new Repository(root, Stores.localObjects(root), Stores.localRefs(root), Clock.systemUTC());
    }

    /** A repository in memory, for tests. */
    public static Repository inMemory(Path scratch, Clock clock) throws IOException {
        return new Repository(scratch, Stores.memoryObjects(clock), Stores.memoryRefs(), clock);
    }

    /**
     * A repository over any pair of stores, such as a remote's on S3; {@code staging} is a local folder for
     * temporary files (downloads are verified there before they are handed on).
     */
    public static Repository over(ObjectStore objects, RefStore refs, Path staging) throws IOException {
        return new Repository(staging, objects, refs, Clock.systemUTC());
    }

    /** Walks up from {@code start} to the nearest folder holding a {@code .lode} repository, like git. */
    public static Optional<Path> find(Path start) {
        for (Path folder = start.toAbsolutePath().normalize(); folder != null; folder = folder.getParent()) {
            if (Files.isRegularFile(folder.resolve(FOLDER).resolve("config.json"))) {
                return Optional.of(folder.resolve(FOLDER));
            }
        }
        return Optional.empty();
    }

    /** The {@code .lode} folder (or scratch folder of an in-memory repository). */
    public Path root() {
        return root;
    }

    public ObjectDatabase objects() {
        return objects;
    }

    public RefStore refs() {
        return refs;
    }

    public Clock clock() {
        return clock;
    }

    public RepositoryConfig config() throws IOException {
        return RepositoryConfig.read(root.resolve("config.json"));
    }

    /** Replaces the configuration atomically. */
    public void writeConfig(RepositoryConfig config) throws IOException {
        writeConfigFile(root, config);
    }

    private static void writeConfigFile(Path root, RepositoryConfig config) throws IOException {
        try {
            replaceConfigFile(root, config);
        } catch (IOException e) {
            throw StorageFailures.check(e, root.resolve("config.json"));
        }
    }

    private static void replaceConfigFile(Path root, RepositoryConfig config) throws IOException {
        Path partial = root.resolve("config.json.new");
        Files.write(partial, config.toJson().toBytes());
        FileSync.file(partial);
        CrashPoints.reached("before rename", root.resolve("config.json"));
        Files.move(partial, root.resolve("config.json"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CrashPoints.reached("after rename", root.resolve("config.json"));
    }

    /** Runs {@code action} with the local index if it can be opened now; returns empty otherwise. */
    <T> Optional<T> withIndex(Function<LocalIndex, T> action) {
        synchronized (indexLock) {
            if (index == null) {
                index = Files.isDirectory(root.resolve("objects")) ? LocalIndex.open(root.resolve("index"))
                        : Optional.empty();
            }
            return index.map(action);
        }
    }

    // ---------------------------------------------------------------- reading

    public Commit readCommit(ObjectId id) throws IOException {
        return Commit.parse(id, objects.read(id, Commit.MAX_BYTES));
    }

    public Manifest readManifest(ObjectId id) throws IOException {
        return Manifest.parse(id, objects.read(id, Manifest.MAX_BYTES));
    }

    /** Every dataset that has at least one ref, sorted. */
    public List<String> datasets() throws IOException {
        TreeSet<String> names = new TreeSet<>();
        refs.list(ref -> names.add(ref.name().dataset()));
        return List.copyOf(names);
    }

    /** The refs of one dataset, sorted by kind and name. */
    public List<Ref> refsOf(String dataset) throws IOException {
        List<Ref> found = new ArrayList<>();
        refs.list(ref -> {
            if (ref.name().dataset().equals(dataset)) {
                found.add(ref);
            }
        });
        found.sort((a, b) -> a.name().compareTo(b.name()));
        return found;
    }

    /**
     * Finds the commit a revision names. A REV that matches more than one of a branch, a tag and a commit prefix
     * is ambiguous and rejected; so is a prefix matching several commits.
     */
    public ResolvedRevision resolve(Revision revision) throws IOException {
        String dataset = revision.dataset();
        String rev = revision.rev();
        Optional<ObjectId> branch = refs.read(RefName.branch(dataset, rev));
        Optional<ObjectId> tag = refs.read(RefName.tag(dataset, rev));
        Set<ObjectId> byPrefix = new TreeSet<>();
        if (revision.couldBeHashPrefix()) {
            for (ObjectId id : allCommits(dataset)) {
                if (id.hex().startsWith(rev)) {
                    byPrefix.add(id);
                }
            }
            if (byPrefix.isEmpty() && rev.length() == ObjectId.HEX_LENGTH) {
                ObjectId id = ObjectId.parse(rev);
                if (objects.store().contains(id) && readCommit(id).dataset().equals(dataset)) {
                    byPrefix.add(id);
                }
            }
        }
        List<String> matches = new ArrayList<>();
        branch.ifPresent(id -> matches.add("branch " + rev));
        tag.ifPresent(id -> matches.add("tag " + rev));
        byPrefix.forEach(id -> matches.add("commit " + id.abbreviated()));
        if (matches.size() > 1) {
            throw new LodeException("Ambiguous revision " + revision + ": it matches " + String.join(", ", matches)
                    + (byPrefix.size() > 1 ? "; give more digits of the commit hash" : ""));
        }
        if (matches.isEmpty()) {
            if (datasets().contains(dataset)) {
                throw new LodeException("Unknown revision " + revision + ": dataset " + dataset
                        + " has no branch, tag or commit matching '" + rev + "'"
                        + (rev.length() < Revision.MIN_PREFIX && rev.matches("[0-9a-f]+")
                        ? " (commit prefixes need at least " + Revision.MIN_PREFIX + " digits)" : ""));
            }
            throw new LodeException("Unknown dataset '" + dataset + "' in revision " + revision
                    + (datasets().isEmpty() ? ": the repository has no datasets yet"
                    : ": known datasets are " + String.join(", ", datasets())));
        }
        if (branch.isPresent()) {
            return new ResolvedRevision(revision, Optional.of(RefName.branch(dataset, rev)), branch.get(),
                    readCommit(branch.get()));
        }
        if (tag.isPresent()) {
            return new ResolvedRevision(revision, Optional.of(RefName.tag(dataset, rev)), tag.get(),
                    readCommit(tag.get()));
        }
        ObjectId id = byPrefix.iterator().next();
        return new ResolvedRevision(revision, Optional.empty(), id, readCommit(id));
    }

    /** Every commit reachable from the dataset's refs and ref logs. */
    private Set<ObjectId> allCommits(String dataset) throws IOException {
        Set<ObjectId> starts = new LinkedHashSet<>();
        refs.list(ref -> {
            if (ref.name().dataset().equals(dataset)) {
                starts.add(ref.target());
            }
        });
        List<RefName> logged = new ArrayList<>();
        refs.listLogged(logged::add);
        for (RefName name : logged) {
            if (name.dataset().equals(dataset)) {
                for (RefLogEntry entry : refs.log(name)) {
                    entry.newTarget().ifPresent(starts::add);
                    entry.oldTarget().ifPresent(starts::add);
                }
            }
        }
        Set<ObjectId> seen = new HashSet<>();
        ArrayDeque<ObjectId> queue = new ArrayDeque<>(starts);
        while (!queue.isEmpty()) {
            ObjectId id = queue.poll();
            if (!seen.add(id) || !objects.store().contains(id)) {
                continue;
            }
            queue.addAll(readCommit(id).parents());
        }
        return seen;
    }

    /** The history from a commit back along first parents, newest first, at most {@code max} entries. */
    public List<LogEntry> history(ObjectId start, int max) throws IOException {
        List<LogEntry> entries = new ArrayList<>();
        Optional<ObjectId> next = Optional.of(start);
        while (next.isPresent() && entries.size() < max) {
            Commit commit = readCommit(next.get());
            entries.add(new LogEntry(next.get(), commit));
            next = commit.firstParent();
        }
        return entries;
    }

    public record LogEntry(ObjectId id, Commit commit) {
    }

    // ---------------------------------------------------------------- writing

    /**
     * Builds a commit on top of the branch head and moves the branch to it by compare-and-set. When another writer
     * moved the branch first, re-reads the head and calls {@code build} again (bounded, with exponential backoff
     * and jitter). {@code build} receives the current head and returns the commit to make, or empty when the
     * head already has the wanted content.
     */
    public CommitOutcome commit(RefName branch, Function<Optional<ObjectId>, Optional<Commit>> build, String command)
            throws IOException {
        if (branch.isTag()) {
            throw new IllegalArgumentException("commit moves branches, not tags: " + branch);
        }
        for (int attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt++) {
            Optional<ObjectId> head = refs.read(branch);
            Optional<Commit> commit = build.apply(head);
            if (commit.isEmpty()) {
                return new CommitOutcome(CommitOutcome.Status.UP_TO_DATE, head.orElseThrow(), head, attempt);
            }
            ObjectId id = objects.put(commit.get().toBytes());
            RefLogEntry entry = RefLogEntry.of(head.orElse(null), id, clock.instant(), commit.get().author(),
                    command);
            CasResult result = refs.compareAndSet(branch, head.orElse(null), id, entry);
            if (result != CasResult.CONFLICT) {
                return new CommitOutcome(CommitOutcome.Status.CREATED, id, head, attempt);
            }
            backoff(attempt);
        }
        throw new LodeException("Could not move " + branch + " after " + MAX_COMMIT_ATTEMPTS
                + " attempts: other writers keep moving it; try again");
    }

    private static void backoff(int attempt) {
        long cap = Math.min(1000, 5L << Math.min(attempt, 10));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(cap / 2, cap + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LodeException("Interrupted while retrying a commit");
        }
    }

    /** Creates a tag; tags never move. Re-creating a tag at the same commit is a no-op. */
    public CasResult tag(RefName tag, ObjectId target, String user, String command) throws IOException {
        if (!tag.isTag()) {
            throw new IllegalArgumentException("not a tag: " + tag);
        }
        readCommit(target);
        CasResult result = refs.compareAndSet(tag, null, target,
                RefLogEntry.of(null, target, clock.instant(), user, command));
        if (result == CasResult.CONFLICT) {
            ObjectId existing = refs.read(tag).orElseThrow();
            if (existing.equals(target)) {
                return CasResult.NO_CHANGE;
            }
            throw new LodeException("Tag " + tag.name() + " of dataset " + tag.dataset() + " already points to "
                    + existing.abbreviated() + "; tags are immutable, choose another name");
        }
        return result;
    }

    /**
     * Creates a branch at a commit. A branch that already points there is left as it is, so running the same
     * command again (say, after it was killed once it had moved the ref) succeeds; one pointing elsewhere is an error.
     */
    public void createBranch(RefName branch, ObjectId target, String user, String command) throws IOException {
        readCommit(target);
        CasResult result = refs.compareAndSet(branch, null, target,
                RefLogEntry.of(null, target, clock.instant(), user, command));
        if (result == CasResult.CONFLICT && !refs.read(branch).equals(Optional.of(target))) {
            throw new LodeException("Branch " + branch.name() + " of dataset " + branch.dataset()
                    + " already exists");
        }
    }

    /** Deletes a branch if it still points where {@code expected} says. */
    public void deleteBranch(RefName branch, String user, String command) throws IOException {
        ObjectId current = refs.read(branch).orElseThrow(() -> new LodeException("No branch " + branch.name()
                + " in dataset " + branch.dataset()));
        CasResult result = refs.compareAndSet(branch, current, null,
                RefLogEntry.of(current, null, clock.instant(), user, command));
        if (result == CasResult.CONFLICT) {
            throw new LodeException("Branch " + branch.name() + " moved while being deleted; nothing was deleted");
        }
    }

    /** Who is acting: $LODE_AUTHOR, else the operating-system user. */
    public static String currentUser() {
        String author = System.getenv("LODE_AUTHOR");
        if (author != null && !author.isBlank()) {
            return author;
        }
        return System.getProperty("user.name", "unknown");
    }

    /** Now, unless SOURCE_DATE_EPOCH fixes commit times for reproducible builds. */
    public Instant commitTime() {
        String epoch = System.getenv("SOURCE_DATE_EPOCH");
        if (epoch != null && epoch.matches("[0-9]{1,12}")) {
            return Instant.ofEpochSecond(Long.parseLong(epoch));
        }
        return Instant.ofEpochMilli(clock.millis());
    }

    /**
     * Imports sources into a dataset branch as one new commit (or none, when the branch already holds exactly
     * this content). Bad input throws {@link dev.lode.engine.importer.ImportException} and changes no ref.
     */
    public ImportResult importFiles(ImportRequest request) throws IOException {
        return new Importing(this).run(request);
    }

    /**
     * Converts the request's sources again, bypassing every cache, and returns the manifest id they give now;
     * {@code lode import --verify-against} compares it with a recorded version's.
     */
    public ObjectId reconvert(ImportRequest request) throws IOException {
        return new Importing(this).reconvert(request);
    }

    /** Exports a version's data as Parquet part files or one CSV file into an empty or new folder. */
    public List<Path> exportParquet(Manifest manifest, Path folder) throws IOException {
        return Exporting.export(this, manifest, folder, Exporting.Format.PARQUET);
    }

    public List<Path> exportCsv(Manifest manifest, Path folder) throws IOException {
        return Exporting.export(this, manifest, folder, Exporting.Format.CSV);
    }

    // ---------------------------------------------------------------- maintenance

    /** Re-hashes every object and checks every ref leads to complete commits. */
    public VerifyReport verify() throws IOException {
        List<String> problems = new ArrayList<>();
        long[] counts = new long[2];
        List<ObjectInfo> all = new ArrayList<>();
        objects.store().list(all::add);
        for (ObjectInfo info : all) {
            counts[0]++;
            counts[1] += info.size();
            try {
                if (!objects.verify(info.id())) {
                    problems.add("object " + info.id() + " does not hash to its name");
                }
            } catch (MissingObjectException deletedMeanwhile) {
                continue;
            }
        }
        List<Ref> allRefs = new ArrayList<>();
        refs.list(allRefs::add);
        Set<ObjectId> checked = new HashSet<>();
        for (Ref ref : allRefs) {
            ArrayDeque<ObjectId> queue = new ArrayDeque<>(List.of(ref.target()));
            while (!queue.isEmpty()) {
                ObjectId id = queue.poll();
                if (!checked.add(id)) {
                    continue;
                }
                try {
                    Commit commit = readCommit(id);
                    Manifest manifest = readManifest(commit.manifest());
                    for (FragmentEntry fragment : manifest.fragments()) {
                        if (!objects.store().contains(fragment.object())) {
                            problems.add(ref.name() + ": commit " + id.abbreviated() + ": missing fragment "
                                    + fragment.object());
                        }
                    }
                    queue.addAll(commit.parents());
                } catch (LodeException e) {
                    problems.add(ref.name() + ": commit " + id.abbreviated() + ": " + e.getMessage());
                }
            }
        }
        return new VerifyReport(counts[0], counts[1], allRefs.size(), checked.size(), problems);
    }

    public record VerifyReport(long objects, long bytes, int refs, int commits, List<String> problems) {
        public VerifyReport {
            problems = List.copyOf(problems);
        }

        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /**
     * Deletes objects that nothing references. Marks everything reachable from every ref and from every ref-log
     * entry younger than {@code retention}; deletes an unmarked object only if it is older than {@code grace}, so
     * the objects of an import or push still in flight (written, not yet referenced) survive. Refuses to delete
     * anything if a ref leads to a missing or corrupt commit or manifest.
     */
    public GcReport gc(Duration retention, Duration grace, boolean dryRun) throws IOException {
        Instant now = clock.instant();
        Set<ObjectId> roots = new LinkedHashSet<>();
        refs.list(ref -> roots.add(ref.target()));
        Set<ObjectId> logRoots = new LinkedHashSet<>();
        List<RefName> logged = new ArrayList<>();
        refs.listLogged(logged::add);
        for (RefName name : logged) {
            for (RefLogEntry entry : refs.log(name)) {
                if (!entry.time().isBefore(now.minus(retention))) {
                    entry.oldTarget().ifPresent(logRoots::add);
                    entry.newTarget().ifPresent(logRoots::add);
                }
            }
        }
        Set<ObjectId> marked = new HashSet<>();
        ArrayDeque<ObjectId> queue = new ArrayDeque<>(roots);
        for (ObjectId id : logRoots) {
            if (objects.store().contains(id)) {
                queue.add(id);
            }
        }
        while (!queue.isEmpty()) {
            ObjectId id = queue.poll();
            if (!marked.add(id)) {
                continue;
            }
            Commit commit;
            Manifest manifest;
            try {
                commit = readCommit(id);
                manifest = readManifest(commit.manifest());
            } catch (LodeException e) {
                throw new LodeException("gc stopped without deleting anything: " + e.getMessage()
                        + "; run lode verify", e);
            }
            marked.add(commit.manifest());
            for (FragmentEntry fragment : manifest.fragments()) {
                marked.add(fragment.object());
            }
            queue.addAll(commit.parents());
        }
        List<ObjectInfo> all = new ArrayList<>();
        objects.store().list(all::add);
        long deleted = 0;
        long deletedBytes = 0;
        long young = 0;
        List<ObjectId> candidates = new ArrayList<>();
        Instant cutoff = now.minus(grace);
        for (ObjectInfo info : all) {
            if (marked.contains(info.id())) {
                continue;
            }
            if (!info.lastModified().isBefore(cutoff)) {
                young++;
                continue;
            }
            candidates.add(info.id());
        }
        for (ObjectId id : candidates) {
            // Re-check the age just before deleting: an import may have re-used the object since we listed it.
            Optional<ObjectInfo> fresh = objects.store().stat(id);
            if (fresh.isEmpty() || !fresh.get().lastModified().isBefore(cutoff)) {
                young++;
                continue;
            }
            if (dryRun || objects.store().delete(id)) {
                deleted++;
                deletedBytes += fresh.get().size();
            }
        }
        return new GcReport(all.size(), marked.size(), deleted, deletedBytes, young, dryRun);
    }

    public record GcReport(long objects, long reachable, long deleted, long deletedBytes, long keptYoung,
                           boolean dryRun) {
    }

    @Override
    public void close() throws IOException {
        synchronized (indexLock) {
            if (index != null) {
                index.ifPresent(LocalIndex::close);
                index = null;
            }
        }
        objects.store().close();
        refs.close();
    }
}
