package dev.lode.engine.importer.json;

import dev.lode.engine.json.Json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one JSON text that {@link Json#parse} has already accepted into values that keep object keys in source
 * order ({@link Json.JsonObject} sorts them, but column order follows the file). Strings and numbers are decoded by
 * {@link Json#parse} itself, so they mean exactly what they mean everywhere else in Lode.
 */
final class JsonValues {

    sealed interface Value permits ObjectValue, ArrayValue, StringValue, NumberValue, BooleanValue, NullValue {
    }

    record ObjectValue(Map<String, Value> members) implements Value {
    }

    record ArrayValue(List<Value> elements) implements Value {
    }

    record StringValue(String value) implements Value {
    }

    /** A number with its source text, which a string column keeps as written. */
    record NumberValue(String text, Json.JsonNumber number) implements Value {
    }

    enum BooleanValue implements Value {
        TRUE, FALSE
    }

    enum NullValue implements Value {
        INSTANCE
    }

    static String describe(Value value) {
        return switch (value) {
            case ObjectValue o -> "an object";
            case ArrayValue a -> "an array";
            case StringValue s -> "a string";
            case NumberValue n -> "a number";
            case BooleanValue b -> "a boolean";
            case NullValue n -> "null";
        };
    }

    private final byte[] text;
    private int position;

    JsonValues(byte[] text) {
        this.text = text;
    }

    Value read() {
        skipWhitespace();
        return readValue();
    }

    private Value readValue() {
        byte b = text[position];
        switch (b) {
            case '{' -> {
                position++;
                Map<String, Value> members = new LinkedHashMap<>();
                skipWhitespace();
                if (text[position] == '}') {
                    position++;
                    return new ObjectValue(members);
                }
                while (true) {
                    skipWhitespace();
                    String key = readString();
                    skipWhitespace();
                    position++; // ':'
                    skipWhitespace();
                    members.put(key, readValue());
                    skipWhitespace();
                    if (text[position++] == '}') {
                        return new ObjectValue(members);
                    }
                }
            }
            case '[' -> {
                position++;
                List<Value> elements = new ArrayList<>();
                skipWhitespace();
                if (text[position] == ']') {
                    position++;
                    return new ArrayValue(elements);
                }
                while (true) {
                    skipWhitespace();
                    elements.add(readValue());
                    skipWhitespace();
                    if (text[position++] == ']') {
                        return new ArrayValue(elements);
                    }
                }
            }
            case '"' -> {
                return new StringValue(readString());
            }
            case 't' -> {
                position += 4;
                return BooleanValue.TRUE;
            }
            case 'f' -> {
                position += 5;
                return BooleanValue.FALSE;
            }
            case 'n' -> {
                position += 4;
                return NullValue.INSTANCE;
            }
            default -> {
                int start = position;
                while (position < text.length && isNumberByte(text[position])) {
                    position++;
                }
                String number = new String(text, start, position - start, StandardCharsets.US_ASCII);
                return new NumberValue(number, (Json.JsonNumber) Json.parse(number));
            }
        }
    }

    private String readString() {
        int start = position;
        position++;
        boolean escaped = false;
        while (text[position] != '"') {
            if (text[position] == '\\') {
                escaped = true;
                position++;
            }
            position++;
        }
        position++;
        if (!escaped) {
            return new String(text, start + 1, position - start - 2, StandardCharsets.UTF_8);
        }
        byte[] token = java.util.Arrays.copyOfRange(text, start, position);
        return Json.parse(token).asString();
    }

    private static boolean isNumberByte(byte b) {
        return (b >= '0' && b <= '9') || b == '-' || b == '+' || b == '.' || b == 'e' || b == 'E';
    }

    private void skipWhitespace() {
        while (position < text.length) {
            byte b = text[position];
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return;
            }
            position++;
        }
    }
}
