package dev.lode.loader;

import dev.lode.engine.LodeException;
import dev.lode.engine.ObjectId;

import static java.util.Objects.requireNonNull;

/**
 * Everything that decides which rows a training step reads: the commit and its row-group layout, the order mode,
 * the seed, the global batch size and the tail policy. The order of epoch e is a pure function of
 * (layout, seed, e, mode, {@link #SPEC_VERSION}); the rows of global batch b are positions [b*B, (b+1)*B) of it,
 * and rank r of W takes the r-th contiguous slice of B/W of them, so the set (and concatenated order) of the rows in
 * a batch does not depend on the world size. Immutable and thread-safe.
 */
public final class OrderPlan {
    /** The version of docs/ORDER.md that this code implements; saved loader states carry it. */
    public static final int SPEC_VERSION = 1;

    private final String commitId;
    private final DatasetLayout layout;
    private final OrderMode mode;
    private final long seed;
    private final int globalBatchSize;
    private final TailPolicy tailPolicy;
    private final int windowRowGroups;
    private final long stepsPerEpoch;
    // Block mode spends O(row groups) building an epoch; consecutive steps reuse it.
    private volatile EpochOrder lastEpoch;

    /**
     * @param commitId        the commit the rows come from: 64 lowercase hexadecimal digits
     * @param windowRowGroups k, the row groups per shuffle window: at least 1 in block mode, 0 in the other modes
     * @throws LodeException  naming the argument that is out of range, or when the drop policy leaves no batch
     */
    public OrderPlan(String commitId, DatasetLayout layout, OrderMode mode, long seed, int globalBatchSize,
                     TailPolicy tailPolicy, int windowRowGroups) {
        requireNonNull(commitId, "commitId is null");
        this.layout = requireNonNull(layout, "layout is null");
        this.mode = requireNonNull(mode, "mode is null");
        this.tailPolicy = requireNonNull(tailPolicy, "tailPolicy is null");
        if (!ObjectId.isValid(commitId)) {
            throw new LodeException("Invalid commit id '" + commitId + "': expected 64 lowercase hexadecimal digits");
        }
        if (globalBatchSize < 1) {
            throw new LodeException("Global batch size must be >= 1, got " + globalBatchSize);
        }
        checkWindow(mode, windowRowGroups);
        this.commitId = commitId;
        this.seed = seed;
        this.globalBatchSize = globalBatchSize;
        this.windowRowGroups = windowRowGroups;
        this.stepsPerEpoch = Batching.stepsPerEpoch(layout.rowCount(), globalBatchSize, tailPolicy);
        if (stepsPerEpoch == 0) {
            throw new LodeException("Global batch size " + globalBatchSize + " exceeds the " + layout.rowCount()
                    + " rows of the dataset; with tail policy drop an epoch would have no batch");
        }
    }

    static void checkWindow(OrderMode mode, long windowRowGroups) {
        if (mode == OrderMode.BLOCK && windowRowGroups < 1) {
            throw new LodeException("Block order needs a window of at least 1 row group, got " + windowRowGroups);
        }
        if (mode != OrderMode.BLOCK && windowRowGroups != 0) {
            throw new LodeException("Window must be 0 for " + mode.token() + " order (windows apply only to block"
                    + " order), got " + windowRowGroups);
        }
    }

    /** A global order over rowCount rows. */
    public static OrderPlan global(String commitId, long rowCount, long seed, int globalBatchSize,
                                   TailPolicy tailPolicy) {
        return new OrderPlan(commitId, DatasetLayout.ofRows(rowCount), OrderMode.GLOBAL, seed, globalBatchSize,
                tailPolicy, 0);
    }

    /** A block order over the row groups of layout, shuffling rows within windows of windowRowGroups row groups. */
    public static OrderPlan block(String commitId, DatasetLayout layout, int windowRowGroups, long seed,
                                  int globalBatchSize, TailPolicy tailPolicy) {
        return new OrderPlan(commitId, layout, OrderMode.BLOCK, seed, globalBatchSize, tailPolicy, windowRowGroups);
    }

    /** A sequential order over rowCount rows; the seed is recorded but changes nothing. */
    public static OrderPlan sequential(String commitId, long rowCount, int globalBatchSize, TailPolicy tailPolicy) {
        return new OrderPlan(commitId, DatasetLayout.ofRows(rowCount), OrderMode.SEQUENTIAL, 0, globalBatchSize,
                tailPolicy, 0);
    }

    public String commitId() {
        return commitId;
    }

    public DatasetLayout layout() {
        return layout;
    }

    public OrderMode mode() {
        return mode;
    }

    public long seed() {
        return seed;
    }

    public int globalBatchSize() {
        return globalBatchSize;
    }

    public TailPolicy tailPolicy() {
        return tailPolicy;
    }

    public int windowRowGroups() {
        return windowRowGroups;
    }

    /** N, the rows of the dataset, which is also the positions of every epoch. */
    public long rowCount() {
        return layout.rowCount();
    }

    /** Global batches per epoch: floor(N / B) with the drop policy, ceil(N / B) otherwise; at least 1. */
    public long stepsPerEpoch() {
        return stepsPerEpoch;
    }

    /** The order of an epoch (from 0). */
    public EpochOrder epoch(long epoch) {
        EpochOrder order = lastEpoch;
        if (order == null || order.epoch() != epoch) {
            order = new EpochOrder(this, epoch);
            lastEpoch = order;
        }
        return order;
    }

    /**
     * The dataset rows that rank (of worldSize) reads at a step (from 0) of an epoch, in delivery order. They are
     * positions [step*B + rank*B/W, step*B + (rank+1)*B/W) of the epoch order, taken modulo N under the pad policy;
     * for the short last batch of the partial policy, the rank-th of W near-equal contiguous parts (docs/ORDER.md).
     *
     * @throws LodeException when B is not divisible by worldSize, or rank or step is out of range
     */
    public long[] samplesFor(long epoch, long step, int rank, int worldSize) {
        return epoch(epoch).samplesFor(step, rank, worldSize);
    }

    /** The state of a loader whose next step to deliver is (epoch, step); step == stepsPerEpoch rolls over. */
    public LoaderState stateAt(long epoch, long step) {
        if (epoch < 0 || step < 0 || step > stepsPerEpoch) {
            throw new LodeException("No step " + step + " of epoch " + epoch + ": an epoch has steps 0.."
                    + (stepsPerEpoch - 1));
        }
        return new LoaderState(commitId, mode, SPEC_VERSION, seed, epoch, step, globalBatchSize, tailPolicy,
                rowCount(), windowRowGroups).normalized();
    }

    /** The state whose next step is global step g, counted across epochs: epoch g / S, step g mod S. */
    public LoaderState stateAtGlobalStep(long globalStep) {
        if (globalStep < 0) {
            throw new LodeException("Global step must be >= 0, got " + globalStep);
        }
        return stateAt(globalStep / stepsPerEpoch, globalStep % stepsPerEpoch);
    }

    /**
     * Checks that a saved state can continue under this plan and returns it with a finished epoch rolled over to
     * the next. The world size and thread count may differ from the saved run; everything that changes the rows of
     * a global batch may not.
     *
     * @throws ResumeMismatchException naming the first field that differs, with the saved and current values
     */
    public LoaderState resume(LoaderState saved) {
        requireNonNull(saved, "saved state is null");
        ResumeMismatchException.check("specVersion", saved.specVersion(), SPEC_VERSION);
        ResumeMismatchException.check("commit", saved.commitId(), commitId);
        ResumeMismatchException.check("mode", saved.orderMode().token(), mode.token());
        ResumeMismatchException.check("seed", saved.seed(), seed);
        ResumeMismatchException.check("globalBatchSize", saved.globalBatchSize(), globalBatchSize);
        ResumeMismatchException.check("tail", saved.tailPolicy().token(), tailPolicy.token());
        ResumeMismatchException.check("rowCount", saved.rowCount(), rowCount());
        ResumeMismatchException.check("window", saved.windowRowGroups(), windowRowGroups);
        if (saved.step() > stepsPerEpoch) {
            throw new LodeException("Cannot resume at step " + saved.step() + " of epoch " + saved.epoch()
                    + ": an epoch has " + stepsPerEpoch + " steps");
        }
        return saved.normalized();
    }

    @Override
    public String toString() {
        return "OrderPlan[commit=" + commitId + ", mode=" + mode.token() + ", rows=" + rowCount() + ", seed=" + seed
                + ", globalBatchSize=" + globalBatchSize + ", tail=" + tailPolicy.token()
                + ", window=" + windowRowGroups + "]";
    }
}
