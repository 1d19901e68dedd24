package dev.lode.engine;

import dev.lode.engine.json.Json;
import dev.lode.engine.json.JsonException;

import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One move of a ref: from {@code oldTarget} (empty when the ref was created) to {@code newTarget} (empty when it
 * was deleted), when, by whom, and by which command. Stored as one canonical JSON object per line.
 */
public record RefLogEntry(Optional<ObjectId> oldTarget, Optional<ObjectId> newTarget, Instant time, String user,
                          String command) {
    public RefLogEntry {
        requireNonNull(oldTarget, "oldTarget is null");
        requireNonNull(newTarget, "newTarget is null");
        requireNonNull(time, "time is null");
        requireNonNull(user, "user is null");
        requireNonNull(command, "command is null");
    }

    public static RefLogEntry of(ObjectId oldTarget, ObjectId newTarget, Instant time, String user, String command) {
        return new RefLogEntry(Optional.ofNullable(oldTarget), Optional.ofNullable(newTarget), time, user, command);
    }

    public Json toJson() {
        return Json.object()
                .put("old", oldTarget.map(id -> (Json) Json.of(id.hex())).orElse(Json.nullValue()))
                .put("new", newTarget.map(id -> (Json) Json.of(id.hex())).orElse(Json.nullValue()))
                .put("time", time.toString())
                .put("user", user)
                .put("command", command)
                .build();
    }

    public static RefLogEntry fromJson(Json json) {
        try {
            var object = json.asObject();
            return new RefLogEntry(optionalId(object.get("old")), optionalId(object.get("new")),
                    Instant.parse(object.getString("time")), object.getString("user"), object.getString("command"));
        } catch (JsonException | java.time.format.DateTimeParseException e) {
            throw new LodeException("Invalid ref log entry: " + e.getMessage(), e);
        }
    }

    private static Optional<ObjectId> optionalId(Json value) {
        return value.isNull() ? Optional.empty() : Optional.of(ObjectId.parse(value.asString()));
    }
}
