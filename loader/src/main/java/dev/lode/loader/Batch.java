package dev.lode.loader;

import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * One rank's slice of one global batch, as Arrow vectors over a pinned slab of the loader's ring (no copy). The
 * vectors are valid until {@link #close()}, which gives the slab back for a later step; a consumer that hands the
 * memory to an asynchronous device copy closes the batch only once that copy is done. Not thread-safe; close it
 * from any one thread.
 */
public final class Batch implements AutoCloseable {
    private final Loader loader;
    private final long epoch;
    private final long step;
    private final long globalStep;
    private final int rank;
    private final long[] samples;
    private final VectorSchemaRoot root;
    private final SlabRing.Slab slab;
    private final LoaderState stateAfter;
    private boolean closed;

    Batch(Loader loader, long epoch, long step, long globalStep, int rank, long[] samples, VectorSchemaRoot root,
          SlabRing.Slab slab, LoaderState stateAfter) {
        this.loader = loader;
        this.epoch = epoch;
        this.step = step;
        this.globalStep = globalStep;
        this.rank = rank;
        this.samples = samples;
        this.root = root;
        this.slab = slab;
        this.stateAfter = stateAfter;
    }

    /** The epoch, from 0. */
    public long epoch() {
        return epoch;
    }

    /** The step within the epoch, from 0. */
    public long step() {
        return step;
    }

    /** epoch * stepsPerEpoch + step. */
    public long globalStep() {
        return globalStep;
    }

    public int rank() {
        return rank;
    }

    /** The dataset rows of this batch, in delivery order: row i of {@link #root()} is dataset row samples()[i]. */
    public long[] samples() {
        return samples.clone();
    }

    /** Rows in this batch (the rank's slice; shorter only for the last batch under the partial tail policy). */
    public int rowCount() {
        return samples.length;
    }

    /**
     * The columns over the slab. Valid until {@link #close()}; do not close the root itself.
     *
     * @throws IllegalStateException after close
     */
    public VectorSchemaRoot root() {
        if (closed) {
            throw new IllegalStateException("Batch " + globalStep + " is closed: its slab may already hold another"
                    + " step");
        }
        return root;
    }

    /** The checkpoint that resumes a loader at the step after this one (rolling over to the next epoch). */
    public LoaderState stateAfter() {
        return stateAfter;
    }

    /** Releases the vectors and gives the slab back to the ring. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            root.close();
        } finally {
            slab.close();
            if (loader != null) {
                loader.batchClosed();
            }
        }
    }

    /** Closes a batch the consumer never saw (at loader close), without asking for more work. */
    void discard() {
        if (!closed) {
            closed = true;
            try {
                root.close();
            } finally {
                slab.close();
            }
        }
    }

    @Override
    public String toString() {
        return "Batch[epoch=" + epoch + ", step=" + step + ", rank=" + rank + ", rows=" + samples.length + "]";
    }
}
