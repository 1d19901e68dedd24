package dev.lode.engine;

import dev.lode.engine.json.Json;

import static java.util.Objects.requireNonNull;

/** A file an import read: its path as given, its size and its SHA-256. */
public record SourceFile(String path, long bytes, ObjectId sha256) {
    public SourceFile {
        requireNonNull(path, "path is null");
        requireNonNull(sha256, "sha256 is null");
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes is negative: " + bytes);
        }
    }

    Json toJson() {
        return Json.object().put("path", path).put("bytes", bytes).put("sha256", sha256.hex()).build();
    }

    static SourceFile fromJson(Json json) {
        var object = json.asObject();
        return new SourceFile(object.getString("path"), object.getLong("bytes"),
                ObjectId.parse(object.getString("sha256")));
    }
}
