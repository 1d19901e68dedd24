package dev.lode.engine;

import dev.lode.engine.json.Json;
import dev.lode.engine.json.JsonException;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A version of a dataset: its manifest, its parents, who made it, when, why, and from what (lineage, absent for
 * commits that imported nothing, such as a rebase). Stored as canonical JSON (docs/FORMAT.md, "Commit").
 */
public record Commit(String dataset, ObjectId manifest, List<ObjectId> parents, String author, Instant time,
                     String message, Optional<Lineage> lineage) {
    public static final int FORMAT = 1;
    /** Commits larger than this are refused when read, so a hostile store cannot exhaust memory. */
    public static final long MAX_BYTES = 64L << 20;

    public Commit {
        Names.check("dataset", dataset);
        requireNonNull(manifest, "manifest is null");
        parents = List.copyOf(parents);
        requireNonNull(author, "author is null");
        requireNonNull(time, "time is null");
        requireNonNull(message, "message is null");
        requireNonNull(lineage, "lineage is null");
        if (time.getNano() % 1_000_000 != 0) {
            // Millisecond precision keeps the text form short and identical everywhere.
            time = Instant.ofEpochMilli(time.toEpochMilli());
        }
    }

    public Optional<ObjectId> firstParent() {
        return parents.isEmpty() ? Optional.empty() : Optional.of(parents.getFirst());
    }

    public Json toJson() {
        List<Json> parentIds = new ArrayList<>();
        parents.forEach(parent -> parentIds.add(Json.of(parent.hex())));
        return Json.object()
                .put("kind", "commit")
                .put("format", FORMAT)
                .put("dataset", dataset)
                .put("manifest", manifest.hex())
                .put("parents", Json.array(parentIds))
                .put("author", author)
                .put("time", time.toString())
                .put("message", message)
                .put("lineage", lineage.map(Lineage::toJson).orElse(Json.nullValue()))
                .build();
    }

    public byte[] toBytes() {
        return toJson().toBytes();
    }

    /** Parses a commit object; anything malformed is a {@link LodeException} naming the object. */
    public static Commit parse(ObjectId id, byte[] bytes) {
        try {
            var object = Json.parse(bytes).asObject();
            if (!"commit".equals(object.getString("kind"))) {
                throw new LodeException("Object " + id + " is a " + object.getString("kind") + ", not a commit");
            }
            long format = object.getLong("format");
            if (format != FORMAT) {
                throw new LodeException("Commit " + id + " has format " + format + "; this Lode reads format "
                        + FORMAT);
            }
            List<ObjectId> parents = new ArrayList<>();
            for (Json parent : object.getArray("parents").values()) {
                parents.add(ObjectId.parse(parent.asString()));
            }
            Json lineage = object.get("lineage");
            return new Commit(object.getString("dataset"), ObjectId.parse(object.getString("manifest")), parents,
                    object.getString("author"), Instant.parse(object.getString("time")), object.getString("message"),
                    lineage.isNull() ? Optional.empty() : Optional.of(Lineage.fromJson(lineage)));
        } catch (JsonException | DateTimeParseException e) {
            throw new LodeException("Corrupt commit " + id + ": " + e.getMessage(), e);
        } catch (LodeException e) {
            if (e.getMessage().startsWith("Corrupt") || e.getMessage().contains(id.hex())) {
                throw e;
            }
            throw new LodeException("Corrupt commit " + id + ": " + e.getMessage(), e);
        }
    }
}
