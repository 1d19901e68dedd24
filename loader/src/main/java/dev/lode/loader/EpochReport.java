package dev.lode.loader;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * What {@link OrderCheck#verifyEpoch} found for one epoch and world size.
 *
 * @param delivered     rows handed out over all steps and ranks, counting repeats
 * @param distinct      different rows handed out
 * @param repeated      delivered - distinct: rows handed out again (only the pad policy may)
 * @param missing       rows never handed out (only the drop policy may: N mod B of them)
 * @param batchesPerRank batches each rank received; every rank receives stepsPerEpoch
 * @param problems      what breaks the contract of the tail policy; empty when the epoch passes
 */
public record EpochReport(long epoch, int worldSize, TailPolicy tailPolicy, long rowCount, long steps, long delivered,
                          long distinct, long repeated, long missing, long batchesPerRank, List<String> problems) {
    public EpochReport {
        requireNonNull(tailPolicy, "tailPolicy is null");
        problems = List.copyOf(problems);
    }

    public boolean passed() {
        return problems.isEmpty();
    }

    @Override
    public String toString() {
        return "epoch " + epoch + ", world " + worldSize + ", tail " + tailPolicy.token() + ": " + steps + " steps, "
                + delivered + " delivered, " + distinct + " distinct of " + rowCount + ", " + repeated + " repeated, "
                + missing + " missing, " + batchesPerRank + " batches per rank"
                + (passed() ? ", passed" : ", FAILED: " + String.join("; ", problems));
    }
}
