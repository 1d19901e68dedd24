package dev.lode.loader;

import dev.lode.engine.LodeException;

import java.io.IOException;

import static java.util.Objects.requireNonNull;

/**
 * Writes the rows a rank reads, one line per step: what {@code lode order} prints. A step here is a global step
 * counted across epochs (epoch * stepsPerEpoch + step), so a listing can start anywhere and cross epoch boundaries.
 */
public final class OrderPrinter {
    /** The line format. */
    public enum Format {
        /** The sample indices in delivery order, separated by single spaces. */
        TEXT,
        /** Canonical JSON: {"epoch":E,"rank":R,"samples":[...],"step":S}, with S the step within epoch E. */
        JSON
    }

    private OrderPrinter() {
    }

    /**
     * Writes steps lines, for global steps fromGlobalStep, fromGlobalStep + 1, ..., each ended by '\n'.
     *
     * @throws LodeException when the world size does not divide the global batch size, or an argument is negative
     */
    public static void print(Appendable out, OrderPlan plan, int rank, int worldSize, long fromGlobalStep, long steps,
                             Format format) throws IOException {
        requireNonNull(out, "out is null");
        requireNonNull(plan, "plan is null");
        requireNonNull(format, "format is null");
        Batching.checkWorld(plan.globalBatchSize(), rank, worldSize);
        if (steps < 0) {
            throw new LodeException("Step count must be >= 0, got " + steps);
        }
        LoaderState state = plan.stateAtGlobalStep(fromGlobalStep);
        StringBuilder line = new StringBuilder();
        for (long i = 0; i < steps; i++) {
            long[] samples = plan.samplesFor(state.epoch(), state.step(), rank, worldSize);
            line.setLength(0);
            if (format == Format.JSON) {
                line.append("{\"epoch\":").append(state.epoch()).append(",\"rank\":").append(rank)
                        .append(",\"samples\":[");
                join(line, samples, ',');
                line.append("],\"step\":").append(state.step()).append('}');
            } else {
                join(line, samples, ' ');
            }
            line.append('\n');
            out.append(line);
            state = state.next();
        }
    }

    private static void join(StringBuilder line, long[] samples, char separator) {
        for (int i = 0; i < samples.length; i++) {
            if (i > 0) {
                line.append(separator);
            }
            line.append(samples[i]);
        }
    }
}
