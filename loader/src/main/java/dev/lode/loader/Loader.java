package dev.lode.loader;

import dev.lode.engine.FragmentEntry;
import dev.lode.engine.LodeException;
import dev.lode.engine.Manifest;
import dev.lode.engine.ObjectId;
import dev.lode.engine.Repository;
import dev.lode.engine.ResolvedRevision;
import dev.lode.engine.Revision;
import dev.lode.engine.parquet.Schemas;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static java.util.Objects.requireNonNull;

/**
 * Delivers one rank's batches of a dataset version in the order of an {@link OrderPlan} (docs/ORDER.md), from the
 * local repository, or from a remote ({@link Builder#remote}) when the version is not local. Each fragment's Parquet
 * is decoded once per machine into an Arrow IPC file of the {@link DiskCache} ({@code .lode/cache/}), which later
 * runs memory-map; mapped fragments are held by an in-memory {@link FragmentCache}; each step's rows are gathered
 * into a pinned slab of a {@link SlabRing} of K slabs and exposed as Arrow vectors over it. Up to K steps are
 * assembled ahead by background threads, but batches are delivered strictly in step order, and their contents
 * depend only on (commit, plan, rank, world size, columns): never on thread count or timing.
 *
 * <p>The loader runs from its start state (step 0 of epoch 0, or a resumed {@link LoaderState}) to the end of epoch
 * {@code epochs - 1}. Iterate it once, from one thread, and close every {@link Batch} (a slab is reused only after
 * that); at most K batches may be open at once. {@link #close()} stops the threads and frees all memory.
 */
public final class Loader implements Iterable<Batch>, AutoCloseable {
    private final OrderPlan plan;
    private final int rank;
    private final int worldSize;
    private final LoaderState startState;
    private final long endGlobalStep;
    private final List<SlabColumn> columns;
    private final SlabLayout layout;
    private final PinnedMemory memory;
    private final boolean ownsMemory;
    private final SlabRing ring;
    private final BufferAllocator allocator;
    private final FragmentCache cache;
    private final DiskCache diskCache;         // null when off
    private final FragmentProvider provider;
    private final RemotePrefetcher prefetcher; // null unless reading from a remote through the disk cache
    private final boolean fromRemote;
    private final ExecutorService workers;
    private final Map<Long, CompletableFuture<Batch>> pending = new HashMap<>();
    private final Object lock = new Object();
    private long scheduled;     // guarded by lock: the next global step to hand a slab to
    private long delivered;     // guarded by lock: the next global step to deliver
    private int openBatches;    // guarded by lock: delivered and not yet closed
    private boolean closed;     // guarded by lock
    private boolean iterated;

    private Loader(Builder builder) throws IOException {
        Repository local = builder.repository;
        ResolvedRevision resolved;
        Manifest manifest;
        boolean remoteVersion = false;
        try {
            resolved = local.resolve(builder.revision);
            manifest = local.readManifest(resolved.commit().manifest());
        } catch (LodeException notLocal) {
            if (builder.remote == null) {
                throw notLocal;
            }
            // The version is not (wholly) local: read it from the remote, fragments on demand.
            resolved = builder.remote.resolve(builder.revision);
            manifest = builder.remote.readManifest(resolved.commit().manifest());
            remoteVersion = true;
        }
        this.fromRemote = remoteVersion;
        if (manifest.rows() == 0) {
            throw new LodeException("Dataset version " + builder.revision + " has no rows to load");
        }
        List<FragmentEntry> fragments = manifest.fragments().stream().filter(f -> f.rows() > 0).toList();
        long[] rows = new long[fragments.size()];
        ObjectId[] objects = new ObjectId[fragments.size()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = fragments.get(i).rows();
            objects[i] = fragments.get(i).object();
        }
        String commit = resolved.commitId().hex();
        DatasetLayout datasetLayout = DatasetLayout.ofRowGroups(rows);
        this.plan = switch (builder.mode) {
            case GLOBAL -> new OrderPlan(commit, datasetLayout, OrderMode.GLOBAL, builder.seed, builder.batchSize,
                    builder.tail, 0);
            case SEQUENTIAL -> new OrderPlan(commit, datasetLayout, OrderMode.SEQUENTIAL, 0, builder.batchSize,
                    builder.tail, 0);
            case BLOCK -> new OrderPlan(commit, datasetLayout, OrderMode.BLOCK, builder.seed, builder.batchSize,
                    builder.tail, Math.min(builder.window, rows.length));
        };
        Batching.checkWorld(builder.batchSize, builder.rank, builder.worldSize);
        this.rank = builder.rank;
        this.worldSize = builder.worldSize;
        if (builder.resumeFrom != null) {
            this.startState = plan.resume(builder.resumeFrom);
        } else {
            this.startState = plan.stateAtGlobalStep(builder.startStep);
        }
        this.endGlobalStep = Math.multiplyExact(builder.epochs, plan.stepsPerEpoch());
        Schema schema = Schemas.fromJson(manifest.schema());
        int rankRows = builder.batchSize / builder.worldSize;
        this.columns = LoaderColumns.select(schema, builder.columns,
                Math.multiplyExact(builder.variableBytesPerRow, (long) rankRows));
        this.layout = SlabLayout.of(rankRows, columns);
        this.ownsMemory = builder.memory == null;
        this.memory = ownsMemory ? PinnedMemory.open() : builder.memory;
        BufferAllocator newAllocator = null;
        SlabRing newRing = null;
        try {
            newAllocator = new RootAllocator();
            newRing = new SlabRing(memory, builder.prefetch, layout.totalBytes());
        } catch (RuntimeException failure) {
            if (newAllocator != null) {
                newAllocator.close();
            }
            if (ownsMemory) {
                memory.close();
            }
            throw failure;
        }
        this.allocator = newAllocator;
        this.ring = newRing;
        FragmentUsage usage = new FragmentUsage(plan, rank, worldSize, endGlobalStep);
        Map<ObjectId, int[]> rowGroupsOf = new HashMap<>();
        for (int g = 0; g < objects.length; g++) {
            int[] groups = rowGroupsOf.getOrDefault(objects[g], new int[0]);
            groups = java.util.Arrays.copyOf(groups, groups.length + 1);
            groups[groups.length - 1] = g;
            rowGroupsOf.put(objects[g], groups);
        }
        Path cacheFolder = builder.diskCacheOff || !ArrowCacheFile.holds(columns) ? null : builder.diskCacheFolder != null ? builder.diskCacheFolder
                : Files.isDirectory(local.root().resolve("objects")) ? local.root().resolve("cache") : null;
        DiskCache newDiskCache = null;
        if (cacheFolder != null) {
            try {
                newDiskCache = DiskCache.open(cacheFolder, builder.diskCacheBytes, builder.diskCacheCompression,
                        columns, allocator, object -> nextUse(usage, rowGroupsOf.get(object)));
            } catch (IOException | RuntimeException failure) {
                ring.close();
                allocator.close();
                if (ownsMemory) {
                    memory.close();
                }
                throw new LodeException("Cannot open the fragment cache at " + cacheFolder + ": " + failure
                        + " (choose another folder with diskCache(...), or turn it off)", failure);
            }
        }
        this.diskCache = newDiskCache;
        this.provider = new FragmentProvider(local, builder.remote, diskCache, columns, allocator);
        this.cache = new FragmentCache(objects, rows, provider::load, usage, builder.cacheBytes);
        AtomicInteger threadNumber = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(builder.threads, task -> {
            Thread thread = new Thread(task, "lode-loader-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        long start = startState.globalStep();
        this.scheduled = start;
        this.delivered = start;
        if (builder.remote != null && diskCache != null && builder.lookAhead > 0) {
            this.prefetcher = new RemotePrefetcher(provider, usage, objects, rows, builder.lookAhead, endGlobalStep,
                    this::deliveredStep);
            prefetcher.start();
        } else {
            this.prefetcher = null;
        }
    }

    /** The next step the consumer will read: where the prefetcher's window and eviction's next uses start. */
    private long deliveredStep() {
        synchronized (lock) {
            return delivered;
        }
    }

    /** The soonest step at or after the consumer's that reads any of the row groups, or NEVER. */
    private long nextUse(FragmentUsage usage, int[] rowGroups) {
        if (rowGroups == null) {
            return FragmentUsage.NEVER;
        }
        long after = Math.max(0, deliveredStep() - 1);
        long next = FragmentUsage.NEVER;
        for (int group : rowGroups) {
            next = Math.min(next, usage.nextUseAfter(group, after));
        }
        return next;
    }

    /** A builder for a loader of revision (e.g. {@code cifar@v2}) of the local repository. */
    public static Builder builder(Repository repository, Revision revision) {
        return new Builder(repository, revision);
    }

    /** The plan that decides every batch. */
    public OrderPlan plan() {
        return plan;
    }

    /** Where this loader starts: (epoch, step) of its first batch. */
    public LoaderState startState() {
        return startState;
    }

    /** The global step after the last one this loader delivers: epochs * stepsPerEpoch. */
    public long endGlobalStep() {
        return endGlobalStep;
    }

    public int rank() {
        return rank;
    }

    public int worldSize() {
        return worldSize;
    }

    /** The Arrow schema of every batch. */
    public Schema schema() {
        return ArrowSlabs.schema(layout);
    }

    /** Bytes of decoded fragments cached off-heap now. */
    public long cachedBytes() {
        return cache.cachedBytes();
    }

    /** Fragment decodes so far, each re-decode after an eviction included. */
    public long fragmentDecodes() {
        return cache.decodes();
    }

    /** Whether the version was read from the remote because the local repository does not have it. */
    public boolean readsFromRemote() {
        return fromRemote;
    }

    /** What the fragment caches did so far: Parquet decodes, remote fetches, disk cache hits, writes, evictions. */
    public CacheStatistics cacheStatistics() {
        return new CacheStatistics(provider.parquetDecodes(), provider.remoteFetches(),
                diskCache == null ? 0 : diskCache.hits(), diskCache == null ? 0 : diskCache.writes(),
                diskCache == null ? 0 : diskCache.corruptFiles(), diskCache == null ? 0 : diskCache.evictions(),
                diskCache == null ? 0 : diskCache.totalBytes(), provider.cacheWriteFailures());
    }

    /**
     * Bytes the loader's Arrow allocator holds now: the slab regions wrapped by batches assembled and not yet closed
     * (at most K slabs' worth) and, while a fragment decodes, its Parquet reader's vectors.
     */
    public long arrowBytes() {
        return allocator.getAllocatedMemory();
    }

    /** Pinned bytes of the slab ring: K slabs of the layout's size. */
    public long slabBytes() {
        return (long) ring.slabCount() * ring.slabBytes();
    }

    /**
     * The batches from the start state to the end of the last epoch, in step order. Callable once.
     *
     * @throws IllegalStateException on a second call
     */
    @Override
    public Iterator<Batch> iterator() {
        synchronized (lock) {
            if (iterated) {
                throw new IllegalStateException("A loader is iterated once; build another to iterate again");
            }
            iterated = true;
        }
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                synchronized (lock) {
                    return !closed && delivered < endGlobalStep;
                }
            }

            @Override
            public Batch next() {
                return nextBatch();
            }
        };
    }

    private Batch nextBatch() {
        CompletableFuture<Batch> future;
        long step;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("The loader is closed");
            }
            if (delivered >= endGlobalStep) {
                throw new NoSuchElementException("The loader delivered its last step, " + (endGlobalStep - 1));
            }
            refill();
            step = delivered;
            future = pending.get(step);
            if (future == null) {
                throw new IllegalStateException("Cannot assemble step " + step + ": all " + ring.slabCount()
                        + " slabs are held by open batches; close a batch before asking for the next");
            }
        }
        Batch batch;
        try {
            batch = future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for step " + step, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            synchronized (lock) {
                pending.remove(step);
            }
            if (cause instanceof LodeException lode) {
                throw new LodeException("Cannot load step " + step + ": " + lode.getMessage(), lode);
            }
            if (cause instanceof IOException io) {
                throw new UncheckedIOException("Cannot load step " + step + ": " + io.getMessage(), io);
            }
            throw new IllegalStateException("Cannot load step " + step + ": " + cause, cause);
        }
        synchronized (lock) {
            pending.remove(step);
            delivered++;
            openBatches++;
        }
        if (prefetcher != null) {
            prefetcher.advanced();
        }
        return batch;
    }

    /** Hands every free slab to the next unscheduled step. Caller holds lock. */
    private void refill() {
        while (!closed && scheduled < endGlobalStep) {
            SlabRing.Slab slab;
            try {
                slab = ring.tryAcquire(0, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (slab == null) {
                return;
            }
            long globalStep = scheduled++;
            CompletableFuture<Batch> future = new CompletableFuture<>();
            pending.put(globalStep, future);
            workers.execute(() -> assemble(globalStep, slab, future));
        }
    }

    void batchClosed() {
        synchronized (lock) {
            openBatches--;
            refill();
        }
    }

    private void assemble(long globalStep, SlabRing.Slab slab, CompletableFuture<Batch> future) {
        long steps = plan.stepsPerEpoch();
        long epoch = globalStep / steps;
        long step = globalStep % steps;
        List<DecodedFragment> pinned = new ArrayList<>();
        try {
            long[] samples = plan.samplesFor(epoch, step, rank, worldSize);
            int count = samples.length;
            DatasetLayout rowGroups = plan.layout();
            int[] groupOf = new int[count];
            long[] localRows = new long[count];
            Map<Integer, DecodedFragment> fragments = new HashMap<>();
            for (int i = 0; i < count; i++) {
                int group = rowGroups.rowGroupOf(samples[i]);
                groupOf[i] = group;
                localRows[i] = samples[i] - rowGroups.rowGroupStart(group);
            }
            // Pin in ascending row-group order: the same for every run, so cache behaviour is reproducible too.
            for (int group : java.util.Arrays.stream(groupOf).sorted().distinct().toArray()) {
                DecodedFragment fragment = cache.pin(group, globalStep);
                pinned.add(fragment);
                fragments.put(group, fragment);
            }
            DecodedFragment[] rowFragments = new DecodedFragment[count];
            for (int i = 0; i < count; i++) {
                rowFragments[i] = fragments.get(groupOf[i]);
            }
            MemorySegment segment = slab.segment();
            BatchAssembly.gather(layout, rowFragments, localRows, segment, globalStep);
            VectorSchemaRoot root = ArrowSlabs.wrap(allocator, segment, layout, count);
            future.complete(new Batch(this, epoch, step, globalStep, rank, samples, root, slab,
                    plan.stateAt(epoch, step + 1)));
        } catch (Throwable failure) {
            slab.close();
            future.completeExceptionally(failure);
        } finally {
            for (DecodedFragment fragment : pinned) {
                cache.unpin(fragment, globalStep);
            }
        }
    }

    /**
     * Stops the threads, drops batches assembled ahead, and frees the slabs, the cache and (when the loader opened
     * it) the pinned memory. Idempotent.
     *
     * @throws IllegalStateException when batches handed out are still open; the loader then stays open
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (openBatches > 0) {
                throw new IllegalStateException("Cannot close the loader: " + openBatches
                        + " batches are still open; close them first (their slabs may still be read)");
            }
            closed = true;
        }
        if (prefetcher != null) {
            prefetcher.close();
        }
        workers.shutdown();
        try {
            if (!workers.awaitTermination(1, TimeUnit.MINUTES)) {
                throw new IllegalStateException("Loader threads did not stop within a minute");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while stopping the loader threads", e);
        }
        List<CompletableFuture<Batch>> left;
        synchronized (lock) {
            left = List.copyOf(pending.values());
            pending.clear();
        }
        for (CompletableFuture<Batch> future : left) {
            if (future.isDone() && !future.isCompletedExceptionally()) {
                future.join().discard();
            }
        }
        try {
            cache.close();
            if (diskCache != null) {
                diskCache.close();
            }
            ring.close();
            allocator.close();
        } finally {
            if (ownsMemory) {
                memory.close();
            }
        }
    }

    /**
     * The settings of a loader. The global batch size is required; everything else has a default. Not thread-safe.
     */
    public static final class Builder {
        private final Repository repository;
        private final Revision revision;
        private long seed;
        private int batchSize;
        private int rank;
        private int worldSize = 1;
        private List<String> columns = List.of();
        private OrderMode mode = OrderMode.BLOCK;
        private int window = 4;
        private TailPolicy tail = TailPolicy.DROP;
        private long epochs = 1;
        private LoaderState resumeFrom;
        private long startStep;
        private int prefetch = 4;
        private int threads = 2;
        private long cacheBytes = 1L << 30;
        private long variableBytesPerRow = 256;
        private PinnedMemory memory;
        private Repository remote;
        private Path diskCacheFolder;
        private boolean diskCacheOff;
        private long diskCacheBytes = -1;
        private CacheCompression diskCacheCompression = CacheCompression.NONE;
        private int lookAhead = 4;

        private Builder(Repository repository, Revision revision) {
            this.repository = requireNonNull(repository, "repository is null");
            this.revision = requireNonNull(revision, "revision is null");
        }

        public Builder seed(long newSeed) {
            this.seed = newSeed;
            return this;
        }

        /** B, the rows of a global step over all ranks; the world size must divide it. Required. */
        public Builder globalBatchSize(int newBatchSize) {
            this.batchSize = positive("Global batch size", newBatchSize);
            return this;
        }

        /** This process's rank of worldSize (default 0 of 1). */
        public Builder rank(int newRank, int newWorldSize) {
            this.rank = newRank;
            this.worldSize = positive("World size", newWorldSize);
            return this;
        }

        /** The columns to deliver, in this order; default all, in schema order. */
        public Builder columns(List<String> names) {
            this.columns = List.copyOf(requireNonNull(names, "columns is null"));
            return this;
        }

        public Builder orderMode(OrderMode newMode) {
            this.mode = requireNonNull(newMode, "order mode is null");
            return this;
        }

        /** Block mode: row groups (fragments) per shuffle window, default 4, capped at the fragment count. */
        public Builder window(int rowGroups) {
            this.window = positive("Window", rowGroups);
            return this;
        }

        public Builder tailPolicy(TailPolicy policy) {
            this.tail = requireNonNull(policy, "tail policy is null");
            return this;
        }

        /** The loader ends after epoch count - 1 (default 1 epoch), also when resumed in a later epoch. */
        public Builder epochs(long count) {
            if (count < 1) {
                throw new LodeException("Epochs must be >= 1, got " + count);
            }
            this.epochs = count;
            return this;
        }

        /** Continue from a saved state, e.g. {@link Batch#stateAfter()}; checked with {@link OrderPlan#resume}. */
        public Builder resumeFrom(LoaderState state) {
            this.resumeFrom = requireNonNull(state, "state is null");
            return this;
        }

        /** Start at a global step (epoch * stepsPerEpoch + step) instead of 0; not with {@link #resumeFrom}. */
        public Builder startStep(long globalStep) {
            if (globalStep < 0) {
                throw new LodeException("Start step must be >= 0, got " + globalStep);
            }
            this.startStep = globalStep;
            return this;
        }

        /** K, the slabs of the ring: batches assembled ahead plus batches the consumer holds (default 4). */
        public Builder prefetch(int slabs) {
            this.prefetch = positive("Prefetch depth", slabs);
            return this;
        }

        /** Threads that decode fragments and assemble batches (default 2); never changes the output. */
        public Builder threads(int count) {
            this.threads = positive("Loader threads", count);
            return this;
        }

        /** The byte budget of decoded fragments kept off-heap (default 1 GiB). */
        public Builder cacheBytes(long bytes) {
            if (bytes < 0) {
                throw new LodeException("Cache bytes must be >= 0, got " + bytes);
            }
            this.cacheBytes = bytes;
            return this;
        }

        /** Room per row, on average over a batch, for the values of each binary or utf8 column (default 256). */
        public Builder variableBytesPerRow(long bytes) {
            if (bytes < 1) {
                throw new LodeException("Variable bytes per row must be >= 1, got " + bytes);
            }
            this.variableBytesPerRow = bytes;
            return this;
        }

        /**
         * Where to read the version from when the local repository lacks it (such as a remote's repository over
         * S3, {@code Repository.over}); fragments missing locally are then fetched from it on demand, verified,
         * and kept in the disk cache. The caller closes it after the loader.
         */
        public Builder remote(Repository remoteRepository) {
            this.remote = requireNonNull(remoteRepository, "remote repository is null");
            return this;
        }

        /**
         * The folder of the on-disk cache of decoded fragments (Arrow IPC files, memory-mapped); default
         * {@code .lode/cache} of a local repository. Several loaders and processes may share one folder.
         */
        public Builder diskCache(Path folder) {
            this.diskCacheFolder = requireNonNull(folder, "disk cache folder is null");
            this.diskCacheOff = false;
            return this;
        }

        /** Decode fragments into memory on every run, keeping nothing on disk. */
        public Builder withoutDiskCache() {
            this.diskCacheOff = true;
            return this;
        }

        /** The most bytes of cache files to keep; default half the free disk space, at most 16 GiB. */
        public Builder diskCacheBytes(long bytes) {
            if (bytes < 0) {
                throw new LodeException("Disk cache bytes must be >= 0, got " + bytes);
            }
            this.diskCacheBytes = bytes;
            return this;
        }

        /** How cache files are written (default NONE: mapped and gathered from in place). */
        public Builder diskCacheCompression(CacheCompression compression) {
            this.diskCacheCompression = requireNonNull(compression, "disk cache compression is null");
            return this;
        }

        /** Fragments fetched ahead from the remote, in the order they will be read (default 4; 0 turns it off). */
        public Builder lookAhead(int fragments) {
            if (fragments < 0) {
                throw new LodeException("Look-ahead must be >= 0 fragments, got " + fragments);
            }
            this.lookAhead = fragments;
            return this;
        }

        /** Slabs come from this allocator, which the caller closes; default: the loader opens its own. */
        public Builder pinnedMemory(PinnedMemory pinned) {
            this.memory = requireNonNull(pinned, "pinned memory is null");
            return this;
        }

        /**
         * Resolves the revision, builds the plan, checks a resume state, allocates the slabs and starts the threads.
         *
         * @throws ResumeMismatchException when the resume state was saved under a different plan, naming the field
         * @throws LodeException           for an unknown or unsupported column, or settings out of range
         */
        public Loader build() throws IOException {
            if (batchSize == 0) {
                throw new LodeException("Loader needs a global batch size");
            }
            if (resumeFrom != null && startStep != 0) {
                throw new LodeException("Give either a resume state or a start step, not both");
            }
            return new Loader(this);
        }

        private static int positive(String what, int value) {
            if (value < 1) {
                throw new LodeException(what + " must be >= 1, got " + value);
            }
            return value;
        }
    }
}
