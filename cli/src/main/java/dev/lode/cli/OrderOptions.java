package dev.lode.cli;

import dev.lode.loader.OrderMode;
import dev.lode.loader.TailPolicy;
import picocli.CommandLine.Option;

/** The options that fix a sample order (docs/ORDER.md), shared by {@code lode order} and {@code lode stream}. */
final class OrderOptions {
    @Option(names = "--seed", required = true, paramLabel = "S")
    long seed;

    @Option(names = "--batch-size", required = true, paramLabel = "B", description = "Global batch size.")
    int batchSize;

    @Option(names = "--rank", defaultValue = "0", paramLabel = "R")
    int rank;

    @Option(names = "--world-size", defaultValue = "1", paramLabel = "W", description = "Must divide B.")
    int worldSize;

    @Option(names = "--order", defaultValue = "block", paramLabel = "MODE",
            description = "global, block or sequential (default: ${DEFAULT-VALUE}).")
    String order;

    @Option(names = "--window", defaultValue = "4", paramLabel = "K",
            description = "block mode: rows are shuffled within windows of K fragments (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--tail", defaultValue = "drop", paramLabel = "POLICY",
            description = "drop, pad or partial (default: ${DEFAULT-VALUE}).")
    String tail;

    OrderMode mode() {
        return OrderMode.parse(order);
    }

    TailPolicy tailPolicy() {
        return TailPolicy.parse(tail);
    }
}
