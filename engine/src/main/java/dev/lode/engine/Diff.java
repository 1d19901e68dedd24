package dev.lode.engine;

import dev.lode.engine.json.Json;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How two versions differ: schema changes by column name, row counts, and which fragments they share. Rows in
 * fragments that only {@code to} has are counted as added, rows in fragments only {@code from} has as removed;
 * for an append, the re-written last fragment shows up in both (see {@link #rowsRewritten}).
 */
public record Diff(List<String> schemaChanges, long rowsFrom, long rowsTo, int fragmentsShared, int fragmentsAdded,
                   int fragmentsRemoved, long rowsAdded, long rowsRemoved, long bytesAdded) {
    public Diff {
        schemaChanges = List.copyOf(schemaChanges);
    }

    /** Rows that were in a removed fragment and are in an added one again (an append re-writes the tail). */
    public long rowsRewritten() {
        return Math.min(rowsRemoved, rowsAdded);
    }

    public static Diff between(Manifest from, Manifest to) {
        List<String> changes = schemaChanges(from.schema(), to.schema());
        Map<ObjectId, Integer> fromCounts = new HashMap<>();
        from.fragments().forEach(f -> fromCounts.merge(f.object(), 1, Integer::sum));
        Set<ObjectId> toIds = new HashSet<>();
        to.fragments().forEach(f -> toIds.add(f.object()));
        int shared = 0;
        int added = 0;
        long rowsAdded = 0;
        long bytesAdded = 0;
        for (FragmentEntry fragment : to.fragments()) {
            if (fromCounts.containsKey(fragment.object())) {
                shared++;
            } else {
                added++;
                rowsAdded += fragment.rows();
                bytesAdded += fragment.bytes();
            }
        }
        int removed = 0;
        long rowsRemoved = 0;
        for (FragmentEntry fragment : from.fragments()) {
            if (!toIds.contains(fragment.object())) {
                removed++;
                rowsRemoved += fragment.rows();
            }
        }
        return new Diff(changes, from.rows(), to.rows(), shared, added, removed, rowsAdded, rowsRemoved, bytesAdded);
    }

    private static List<String> schemaChanges(Json.JsonObject from, Json.JsonObject to) {
        Map<String, Json> before = fields(from);
        Map<String, Json> after = fields(to);
        List<String> changes = new ArrayList<>();
        before.forEach((name, field) -> {
            Json other = after.get(name);
            if (other == null) {
                changes.add("removed column " + name);
            } else if (!other.equals(field)) {
                changes.add("changed column " + name + ": " + describe(field) + " -> " + describe(other));
            }
        });
        after.forEach((name, field) -> {
            if (!before.containsKey(name)) {
                changes.add("added column " + name + " " + describe(field));
            }
        });
        return changes;
    }

    private static Map<String, Json> fields(Json.JsonObject schema) {
        Map<String, Json> fields = new LinkedHashMap<>();
        for (Json field : schema.find("fields").map(Json::asArray).map(Json.JsonArray::values).orElse(List.of())) {
            fields.put(field.asObject().getString("name"), field);
        }
        return fields;
    }

    private static String describe(Json field) {
        var object = field.asObject();
        return object.find("type").map(Json::toString).orElse("?")
                + (object.find("nullable").map(Json::asBoolean).orElse(true) ? "" : " not null");
    }

    public Json toJson() {
        return Json.object()
                .putStrings("schemaChanges", schemaChanges)
                .put("rowsFrom", rowsFrom)
                .put("rowsTo", rowsTo)
                .put("fragmentsShared", fragmentsShared)
                .put("fragmentsAdded", fragmentsAdded)
                .put("fragmentsRemoved", fragmentsRemoved)
                .put("rowsAdded", rowsAdded)
                .put("rowsRemoved", rowsRemoved)
                .put("bytesAdded", bytesAdded)
                .build();
    }
}
