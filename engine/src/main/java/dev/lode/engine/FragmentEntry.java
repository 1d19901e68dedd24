package dev.lode.engine;

import dev.lode.engine.json.Json;

import static java.util.Objects.requireNonNull;

/** One Parquet fragment of a manifest: its object, row count, size in bytes and per-column statistics. */
public record FragmentEntry(ObjectId object, long rows, long bytes, Json.JsonObject statistics) {
    public FragmentEntry {
        requireNonNull(object, "object is null");
        requireNonNull(statistics, "statistics is null");
        if (rows < 0 || bytes < 0) {
            throw new IllegalArgumentException("negative rows or bytes in fragment " + object);
        }
    }

    Json toJson() {
        return Json.object().put("object", object.hex()).put("rows", rows).put("bytes", bytes)
                .put("statistics", statistics).build();
    }

    static FragmentEntry fromJson(Json json) {
        var object = json.asObject();
        return new FragmentEntry(ObjectId.parse(object.getString("object")), object.getLong("rows"),
                object.getLong("bytes"), object.getObject("statistics"));
    }
}
