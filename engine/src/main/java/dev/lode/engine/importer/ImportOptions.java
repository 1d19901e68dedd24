package dev.lode.engine.importer;

import dev.lode.engine.LodeException;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The options that may change an import's output, such as {@code delimiter} or {@code header}. They are recorded
 * in the commit's lineage and are part of the conversion-cache key, so only options that change output belong here.
 * Keys and values are strings; keys are kept sorted.
 */
public record ImportOptions(SortedMap<String, String> values) {
    public ImportOptions {
        values = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(values));
    }

    public static ImportOptions none() {
        return new ImportOptions(new TreeMap<>());
    }

    public static ImportOptions of(Map<String, String> values) {
        return new ImportOptions(new TreeMap<>(values));
    }

    public String get(String key, String defaultValue) {
        return values.getOrDefault(key, defaultValue);
    }

    /** A boolean option written as "true" or "false"; anything else is an error naming the option. */
    public boolean flag(String key, boolean defaultValue) {
        String value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new LodeException("Option " + key + " must be true or false, not '" + value + "'");
        };
    }

    /**
     * Rejects any option not in {@code known}, naming it, the format and the options the format has; a typo must
     * not slip silently into lineage and the conversion cache.
     */
    public void requireKnown(String format, java.util.Set<String> known) {
        for (String key : values.keySet()) {
            if (!known.contains(key)) {
                throw new LodeException("Unknown option '" + key + "' for format " + format + "; "
                        + (known.isEmpty() ? "it takes no options"
                        : "known: " + String.join(", ", new java.util.TreeSet<>(known))));
            }
        }
    }

    /** A copy with one more option. */
    public ImportOptions with(String key, String value) {
        TreeMap<String, String> copy = new TreeMap<>(values);
        copy.put(key, value);
        return new ImportOptions(copy);
    }
}
