package dev.lode.cli;

import dev.lode.engine.Commit;
import dev.lode.engine.ObjectId;
import dev.lode.engine.json.Json;

import java.util.List;

/** Shared text and JSON renderings. */
final class Formats {
    private Formats() {
    }

    static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format("%.1f %s", value, units[unit]);
    }

    static Json commitJson(ObjectId id, Commit commit) {
        return Json.object()
                .put("commit", id.hex())
                .put("dataset", commit.dataset())
                .put("manifest", commit.manifest().hex())
                .putStrings("parents", commit.parents().stream().map(ObjectId::hex).toList())
                .put("author", commit.author())
                .put("time", commit.time().toString())
                .put("message", commit.message())
                .build();
    }

    static String joinIds(List<ObjectId> ids) {
        return String.join(" ", ids.stream().map(ObjectId::abbreviated).toList());
    }
}
