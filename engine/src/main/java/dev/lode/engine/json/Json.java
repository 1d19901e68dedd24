package dev.lode.engine.json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * A JSON value with a canonical encoding: objects keep their keys sorted by Unicode code point, no insignificant
 * white space is written, integers are plain decimal, and other numbers use {@link Double#toString(double)}
 * (the shortest decimal that reads back to the same double). Equal values therefore always encode to equal bytes,
 * which is what content-addressed manifests and commits need. See docs/FORMAT.md, "Canonical JSON".
 */
public sealed interface Json {

    /** The canonical UTF-8 encoding of this value. */
    default byte[] toBytes() {
        return toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The canonical text of this value. */
    String toString();

    static Json parse(byte[] utf8) {
        return JsonParser.parse(utf8, JsonParser.DEFAULT_MAX_DEPTH);
    }

    static Json parse(String text) {
        return parse(text.getBytes(StandardCharsets.UTF_8));
    }

    static JsonString of(String value) {
        return new JsonString(value);
    }

    static JsonNumber of(long value) {
        return new JsonNumber(value);
    }

    static Json of(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            // JSON has no NaN or infinity; they are written as strings, as docs/FORMAT.md says.
            return new JsonString(Double.toString(value));
        }
        return new JsonNumber(value);
    }

    static JsonBoolean of(boolean value) {
        return value ? JsonBoolean.TRUE : JsonBoolean.FALSE;
    }

    static JsonNull nullValue() {
        return JsonNull.INSTANCE;
    }

    static JsonObject.Builder object() {
        return new JsonObject.Builder();
    }

    static JsonArray array(List<? extends Json> values) {
        return new JsonArray(List.copyOf(values));
    }

    /** This value as an object, or a {@link JsonException} naming what it was instead. */
    default JsonObject asObject() {
        if (this instanceof JsonObject o) {
            return o;
        }
        throw new JsonException("expected an object, found " + kind());
    }

    default JsonArray asArray() {
        if (this instanceof JsonArray a) {
            return a;
        }
        throw new JsonException("expected an array, found " + kind());
    }

    default String asString() {
        if (this instanceof JsonString s) {
            return s.value();
        }
        throw new JsonException("expected a string, found " + kind());
    }

    default long asLong() {
        if (this instanceof JsonNumber n && n.isIntegral()) {
            return n.longValue();
        }
        throw new JsonException("expected an integer, found " + kind() + " " + this);
    }

    default double asDouble() {
        if (this instanceof JsonNumber n) {
            return n.doubleValue();
        }
        if (this instanceof JsonString s) {
            switch (s.value()) {
                case "NaN": return Double.NaN;
                case "Infinity": return Double.POSITIVE_INFINITY;
                case "-Infinity": return Double.NEGATIVE_INFINITY;
                default: break;
            }
        }
        throw new JsonException("expected a number, found " + kind());
    }

    default boolean asBoolean() {
        if (this instanceof JsonBoolean b) {
            return b.value();
        }
        throw new JsonException("expected a boolean, found " + kind());
    }

    default boolean isNull() {
        return this instanceof JsonNull;
    }

    private String kind() {
        return switch (this) {
            case JsonObject o -> "an object";
            case JsonArray a -> "an array";
            case JsonString s -> "a string";
            case JsonNumber n -> "a number";
            case JsonBoolean b -> "a boolean";
            case JsonNull n -> "null";
        };
    }

    record JsonString(String value) implements Json {
        public JsonString {
            requireNonNull(value, "value is null");
        }

        @Override
        public String toString() {
            StringBuilder out = new StringBuilder(value.length() + 2);
            JsonWriter.writeString(out, value);
            return out.toString();
        }
    }

    /** A number: either an exact 64-bit integer or a finite double. */
    final class JsonNumber implements Json {
        private final long longValue;
        private final double doubleValue;
        private final boolean integral;

        JsonNumber(long value) {
            this.longValue = value;
            this.doubleValue = value;
            this.integral = true;
        }

        JsonNumber(double value) {
            if (Double.isNaN(value) || Double.isInfinite(value)) {
                throw new IllegalArgumentException("JSON numbers are finite: " + value);
            }
            this.longValue = (long) value;
            this.doubleValue = value;
            this.integral = false;
        }

        public boolean isIntegral() {
            return integral;
        }

        public long longValue() {
            return longValue;
        }

        public double doubleValue() {
            return doubleValue;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof JsonNumber n && n.integral == integral
                    && (integral ? n.longValue == longValue
                    : Double.doubleToLongBits(n.doubleValue) == Double.doubleToLongBits(doubleValue));
        }

        @Override
        public int hashCode() {
            return integral ? Long.hashCode(longValue) : Double.hashCode(doubleValue);
        }

        @Override
        public String toString() {
            return integral ? Long.toString(longValue) : Double.toString(doubleValue);
        }
    }

    enum JsonBoolean implements Json {
        TRUE, FALSE;

        public boolean value() {
            return this == TRUE;
        }

        @Override
        public String toString() {
            return this == TRUE ? "true" : "false";
        }
    }

    enum JsonNull implements Json {
        INSTANCE;

        @Override
        public String toString() {
            return "null";
        }
    }

    record JsonArray(List<Json> values) implements Json {
        public JsonArray {
            values = List.copyOf(values);
        }

        public int size() {
            return values.size();
        }

        public Json get(int index) {
            return values.get(index);
        }

        @Override
        public String toString() {
            StringBuilder out = new StringBuilder();
            JsonWriter.write(out, this);
            return out.toString();
        }
    }

    /** An object; its members are always iterated in canonical (code point) key order. */
    record JsonObject(Map<String, Json> members) implements Json {
        public JsonObject {
            TreeMap<String, Json> sorted = new TreeMap<>(JsonWriter.CODE_POINT_ORDER);
            sorted.putAll(members);
            members = Collections.unmodifiableSortedMap(sorted);
        }

        /** The member's value, or a {@link JsonException} naming the missing key. */
        public Json get(String key) {
            Json value = members.get(key);
            if (value == null) {
                throw new JsonException("missing key \"" + key + "\"");
            }
            return value;
        }

        public Optional<Json> find(String key) {
            return Optional.ofNullable(members.get(key));
        }

        public String getString(String key) {
            return typed(key, Json::asString);
        }

        public long getLong(String key) {
            return typed(key, Json::asLong);
        }

        public JsonArray getArray(String key) {
            return typed(key, Json::asArray);
        }

        public JsonObject getObject(String key) {
            return typed(key, Json::asObject);
        }

        /** Converts a member, naming the key when its value has the wrong type. */
        public <T> T typed(String key, java.util.function.Function<Json, T> conversion) {
            Json value = get(key);
            try {
                return conversion.apply(value);
            } catch (JsonException e) {
                throw new JsonException("\"" + key + "\": " + e.getMessage());
            }
        }

        @Override
        public String toString() {
            StringBuilder out = new StringBuilder();
            JsonWriter.write(out, this);
            return out.toString();
        }

        /** Builds an object; keys may be added in any order, a duplicate key is an error. */
        public static final class Builder {
            private final TreeMap<String, Json> members = new TreeMap<>(JsonWriter.CODE_POINT_ORDER);

            public Builder put(String key, Json value) {
                requireNonNull(key, "key is null");
                requireNonNull(value, "value of " + key + " is null");
                if (members.putIfAbsent(key, value) != null) {
                    throw new IllegalArgumentException("duplicate key " + key);
                }
                return this;
            }

            public Builder put(String key, String value) {
                return put(key, Json.of(value));
            }

            public Builder put(String key, long value) {
                return put(key, Json.of(value));
            }

            public Builder put(String key, boolean value) {
                return put(key, Json.of(value));
            }

            public Builder putStrings(String key, List<String> values) {
                List<Json> array = new ArrayList<>(values.size());
                for (String value : values) {
                    array.add(Json.of(value));
                }
                return put(key, new JsonArray(array));
            }

            public JsonObject build() {
                return new JsonObject(members);
            }
        }
    }
}
