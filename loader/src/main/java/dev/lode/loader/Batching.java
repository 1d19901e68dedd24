package dev.lode.loader;

import dev.lode.engine.LodeException;

/** The batching arithmetic shared by plans and saved states. */
final class Batching {
    private Batching() {
    }

    static long stepsPerEpoch(long rowCount, int globalBatchSize, TailPolicy tailPolicy) {
        return switch (tailPolicy) {
            case DROP -> rowCount / globalBatchSize;
            case PAD, PARTIAL -> (rowCount + globalBatchSize - 1) / globalBatchSize;
        };
    }

    static void checkWorld(int globalBatchSize, int rank, int worldSize) {
        if (worldSize < 1) {
            throw new LodeException("World size must be >= 1, got " + worldSize);
        }
        if (globalBatchSize % worldSize != 0) {
            throw new LodeException("Global batch size " + globalBatchSize + " is not divisible by world size "
                    + worldSize + "; every rank takes an equal slice of each batch");
        }
        if (rank < 0 || rank >= worldSize) {
            throw new LodeException("Rank " + rank + " is outside [0, " + worldSize + ")");
        }
    }
}
