package dev.lode.loader;

import dev.lode.engine.LodeException;
import dev.lode.engine.ObjectId;
import dev.lode.engine.json.Json;
import dev.lode.engine.json.JsonException;

import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static java.util.Objects.requireNonNull;

/**
 * Where a loader stands: the next step to deliver, (epoch, step), and every plan field that decides which rows that
 * step reads. Its canonical JSON (docs/ORDER.md, "Loader state") is a few hundred bytes; {@link OrderPlan#resume}
 * continues from it in constant time, under any world size or thread count.
 *
 * @param windowRowGroups k in block mode, 0 in the other modes
 */
public record LoaderState(String commitId, OrderMode orderMode, int specVersion, long seed, long epoch, long step,
                          int globalBatchSize, TailPolicy tailPolicy, long rowCount, int windowRowGroups) {

    /** The JSON fields, in canonical (sorted) order. */
    public static final List<String> FIELDS = List.of("commit", "epoch", "globalBatchSize", "mode", "rowCount", "seed",
            "specVersion", "step", "tail", "window");

    public LoaderState {
        requireNonNull(commitId, "commit is null");
        requireNonNull(orderMode, "mode is null");
        requireNonNull(tailPolicy, "tail is null");
        if (!ObjectId.isValid(commitId)) {
            throw invalid("commit", "expected 64 lowercase hexadecimal digits, got '" + commitId + "'");
        }
        if (specVersion < 1) {
            throw invalid("specVersion", "must be >= 1, got " + specVersion);
        }
        if (epoch < 0) {
            throw invalid("epoch", "must be >= 0, got " + epoch);
        }
        if (step < 0) {
            throw invalid("step", "must be >= 0, got " + step);
        }
        if (globalBatchSize < 1) {
            throw invalid("globalBatchSize", "must be >= 1, got " + globalBatchSize);
        }
        if (rowCount < 1 || rowCount > FeistelPermutation.MAX_SIZE) {
            throw invalid("rowCount", "must be in [1, 2^62], got " + rowCount);
        }
        try {
            OrderPlan.checkWindow(orderMode, windowRowGroups);
        } catch (LodeException e) {
            throw invalid("window", e.getMessage());
        }
        long steps = stepsPerEpoch(rowCount, globalBatchSize, tailPolicy);
        if (steps == 0) {
            throw invalid("globalBatchSize", globalBatchSize + " exceeds rowCount " + rowCount
                    + " under tail policy drop");
        }
        if (step > steps) {
            throw invalid("step", step + " is past the " + steps + " steps of an epoch");
        }
    }

    private static long stepsPerEpoch(long rowCount, int globalBatchSize, TailPolicy tailPolicy) {
        return Batching.stepsPerEpoch(rowCount, globalBatchSize, tailPolicy);
    }

    private static LodeException invalid(String field, String why) {
        return new LodeException("Invalid loader state: field \"" + field + "\" " + why);
    }

    /** Global batches per epoch, as in {@link OrderPlan#stepsPerEpoch()}. */
    public long stepsPerEpoch() {
        return stepsPerEpoch(rowCount, globalBatchSize, tailPolicy);
    }

    /** The step counted across epochs: epoch * stepsPerEpoch + step. */
    public long globalStep() {
        return Math.addExact(Math.multiplyExact(epoch, stepsPerEpoch()), step);
    }

    /** This state, with step == stepsPerEpoch written as step 0 of the next epoch. */
    public LoaderState normalized() {
        if (step < stepsPerEpoch()) {
            return this;
        }
        return at(epoch + 1, 0);
    }

    /** The state after delivering the next step. */
    public LoaderState next() {
        LoaderState current = normalized();
        return current.at(current.epoch, current.step + 1).normalized();
    }

    private LoaderState at(long newEpoch, long newStep) {
        return new LoaderState(commitId, orderMode, specVersion, seed, newEpoch, newStep, globalBatchSize, tailPolicy,
                rowCount, windowRowGroups);
    }

    /** The canonical JSON: sorted keys, no white space, the seed as 16 lowercase hexadecimal digits. */
    public String toJson() {
        return Json.object()
                .put("commit", commitId)
                .put("epoch", epoch)
                .put("globalBatchSize", globalBatchSize)
                .put("mode", orderMode.token())
                .put("rowCount", rowCount)
                .put("seed", HexFormat.of().toHexDigits(seed))
                .put("specVersion", specVersion)
                .put("step", step)
                .put("tail", tailPolicy.token())
                .put("window", windowRowGroups)
                .build()
                .toString();
    }

    /**
     * Parses {@link #toJson()} strictly: exactly the ten fields, each of its type and range.
     *
     * @throws LodeException naming the field that is missing, unknown or invalid
     */
    public static LoaderState parse(String json) {
        requireNonNull(json, "loader state is null");
        Json.JsonObject object;
        try {
            object = Json.parse(json).asObject();
        } catch (JsonException e) {
            throw new LodeException("Invalid loader state: " + e.getMessage());
        }
        Set<String> unknown = new TreeSet<>(object.members().keySet());
        FIELDS.forEach(unknown::remove);
        if (!unknown.isEmpty()) {
            throw invalid(unknown.iterator().next(), "is not a loader state field; expected " + FIELDS);
        }
        for (String field : FIELDS) {
            if (object.find(field).isEmpty()) {
                throw invalid(field, "is missing");
            }
        }
        String seedHex = string(object, "seed");
        if (seedHex.length() != 16 || !seedHex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            throw invalid("seed", "expected 16 lowercase hexadecimal digits, got '" + seedHex + "'");
        }
        OrderMode mode;
        TailPolicy tail;
        try {
            mode = OrderMode.parse(string(object, "mode"));
        } catch (LodeException e) {
            throw invalid("mode", e.getMessage());
        }
        try {
            tail = TailPolicy.parse(string(object, "tail"));
        } catch (LodeException e) {
            throw invalid("tail", e.getMessage());
        }
        return new LoaderState(string(object, "commit"), mode, integer(object, "specVersion"),
                HexFormat.fromHexDigitsToLong(seedHex), number(object, "epoch"), number(object, "step"),
                integer(object, "globalBatchSize"), tail, number(object, "rowCount"), integer(object, "window"));
    }

    private static String string(Json.JsonObject object, String field) {
        try {
            return object.get(field).asString();
        } catch (JsonException e) {
            throw invalid(field, e.getMessage());
        }
    }

    private static long number(Json.JsonObject object, String field) {
        try {
            return object.get(field).asLong();
        } catch (JsonException e) {
            throw invalid(field, e.getMessage());
        }
    }

    private static int integer(Json.JsonObject object, String field) {
        long value = number(object, field);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw invalid(field, "is out of range: " + value);
        }
        return (int) value;
    }
}
