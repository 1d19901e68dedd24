package dev.lode.engine;

import dev.lode.engine.json.Json;
import dev.lode.engine.json.JsonException;

import java.util.ArrayList;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The content of a dataset version: its Arrow schema (canonical schema JSON, see docs/FORMAT.md), the ordered
 * list of fragments, and the total row count. Row i of the dataset is row i - (rows of earlier fragments) of the
 * fragment that holds it. Stored as canonical JSON, so equal content always has the same object id.
 */
public record Manifest(Json.JsonObject schema, List<FragmentEntry> fragments, long rows, long fragmentRows) {
    public static final int FORMAT = 1;
    public static final long MAX_BYTES = 256L << 20;

    public Manifest {
        requireNonNull(schema, "schema is null");
        fragments = List.copyOf(fragments);
        long sum = 0;
        for (FragmentEntry fragment : fragments) {
            sum += fragment.rows();
        }
        if (sum != rows) {
            throw new LodeException("Manifest rows " + rows + " differ from the sum of its fragments' rows " + sum);
        }
        if (fragmentRows < 1) {
            throw new IllegalArgumentException("fragmentRows must be positive: " + fragmentRows);
        }
    }

    public long bytes() {
        long sum = 0;
        for (FragmentEntry fragment : fragments) {
            sum += fragment.bytes();
        }
        return sum;
    }

    public Json toJson() {
        List<Json> entries = new ArrayList<>();
        fragments.forEach(fragment -> entries.add(fragment.toJson()));
        return Json.object()
                .put("kind", "manifest")
                .put("format", FORMAT)
                .put("schema", schema)
                .put("fragments", Json.array(entries))
                .put("rows", rows)
                .put("fragmentRows", fragmentRows)
                .build();
    }

    public byte[] toBytes() {
        return toJson().toBytes();
    }

    public static Manifest parse(ObjectId id, byte[] bytes) {
        try {
            var object = Json.parse(bytes).asObject();
            if (!"manifest".equals(object.getString("kind"))) {
                throw new LodeException("Object " + id + " is a " + object.getString("kind") + ", not a manifest");
            }
            long format = object.getLong("format");
            if (format != FORMAT) {
                throw new LodeException("Manifest " + id + " has format " + format + "; this Lode reads format "
                        + FORMAT);
            }
            List<FragmentEntry> fragments = new ArrayList<>();
            for (Json fragment : object.getArray("fragments").values()) {
                fragments.add(FragmentEntry.fromJson(fragment));
            }
            return new Manifest(object.getObject("schema"), fragments, object.getLong("rows"),
                    object.getLong("fragmentRows"));
        } catch (JsonException | IllegalArgumentException e) {
            throw new LodeException("Corrupt manifest " + id + ": " + e.getMessage(), e);
        }
    }
}
