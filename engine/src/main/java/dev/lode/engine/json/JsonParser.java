package dev.lode.engine.json;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** A strict RFC 8259 parser with a nesting limit; every error names the byte offset. */
final class JsonParser {
    static final int DEFAULT_MAX_DEPTH = 64;

    private final String text;
    private final int maxDepth;
    private int position;

    private JsonParser(String text, int maxDepth) {
        this.text = text;
        this.maxDepth = maxDepth;
    }

    static Json parse(byte[] utf8, int maxDepth) {
        String text;
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8));
            text = chars.toString();
        } catch (CharacterCodingException e) {
            throw new JsonException("invalid UTF-8 in JSON text");
        }
        JsonParser parser = new JsonParser(text, maxDepth);
        parser.skipWhitespace();
        Json value = parser.readValue(0);
        parser.skipWhitespace();
        if (parser.position != text.length()) {
            throw parser.error("unexpected text after the JSON value");
        }
        return value;
    }

    private Json readValue(int depth) {
        if (depth > maxDepth) {
            throw error("nesting deeper than " + maxDepth);
        }
        if (position >= text.length()) {
            throw error("unexpected end of JSON text");
        }
        char c = text.charAt(position);
        return switch (c) {
            case '{' -> readObject(depth);
            case '[' -> readArray(depth);
            case '"' -> new Json.JsonString(readString());
            case 't' -> literal("true", Json.JsonBoolean.TRUE);
            case 'f' -> literal("false", Json.JsonBoolean.FALSE);
            case 'n' -> literal("null", Json.JsonNull.INSTANCE);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield readNumber();
                }
                throw error("unexpected character '" + printable(c) + "'");
            }
        };
    }

    private Json literal(String word, Json value) {
        if (!text.startsWith(word, position)) {
            throw error("expected " + word);
        }
        position += word.length();
        return value;
    }

    private Json readObject(int depth) {
        position++;
        TreeMap<String, Json> members = new TreeMap<>(JsonWriter.CODE_POINT_ORDER);
        skipWhitespace();
        if (peek() == '}') {
            position++;
            return new Json.JsonObject(members);
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("expected a string key");
            }
            int keyAt = position;
            String key = readString();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            Json value = readValue(depth + 1);
            if (members.put(key, value) != null) {
                position = keyAt;
                throw error("duplicate key \"" + key + "\"");
            }
            skipWhitespace();
            char c = peek();
            position++;
            if (c == '}') {
                return new Json.JsonObject(members);
            }
            if (c != ',') {
                position--;
                throw error("expected ',' or '}'");
            }
        }
    }

    private Json readArray(int depth) {
        position++;
        List<Json> values = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            position++;
            return new Json.JsonArray(values);
        }
        while (true) {
            skipWhitespace();
            values.add(readValue(depth + 1));
            skipWhitespace();
            char c = peek();
            position++;
            if (c == ']') {
                return new Json.JsonArray(values);
            }
            if (c != ',') {
                position--;
                throw error("expected ',' or ']'");
            }
        }
    }

    private String readString() {
        position++;
        StringBuilder out = new StringBuilder();
        while (true) {
            if (position >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(position++);
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                position--;
                throw error("control character in string");
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (position >= text.length()) {
                throw error("unterminated escape");
            }
            char e = text.charAt(position++);
            switch (e) {
                case '"' -> out.append('"');
                case '\\' -> out.append('\\');
                case '/' -> out.append('/');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (position + 4 > text.length()) {
                        throw error("truncated \\u escape");
                    }
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        int digit = Character.digit(text.charAt(position + i), 16);
                        if (digit < 0) {
                            throw error("bad \\u escape");
                        }
                        code = code * 16 + digit;
                    }
                    position += 4;
                    out.append((char) code);
                }
                default -> {
                    position--;
                    throw error("bad escape '\\" + printable(e) + "'");
                }
            }
        }
    }

    private Json readNumber() {
        int start = position;
        if (peek() == '-') {
            position++;
        }
        if (peek() == '0') {
            position++;
        } else if (isDigit(peek())) {
            while (isDigit(peek())) {
                position++;
            }
        } else {
            throw error("bad number");
        }
        boolean integral = true;
        if (peek() == '.') {
            integral = false;
            position++;
            if (!isDigit(peek())) {
                throw error("bad number: digit expected after '.'");
            }
            while (isDigit(peek())) {
                position++;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            position++;
            if (peek() == '+' || peek() == '-') {
                position++;
            }
            if (!isDigit(peek())) {
                throw error("bad number: digit expected in exponent");
            }
            while (isDigit(peek())) {
                position++;
            }
        }
        String number = text.substring(start, position);
        if (integral) {
            try {
                return new Json.JsonNumber(Long.parseLong(number));
            } catch (NumberFormatException e) {
                // Integers beyond 64 bits are read as doubles, like most JSON readers.
            }
        }
        double value = Double.parseDouble(number);
        if (Double.isInfinite(value)) {
            position = start;
            throw error("number out of range");
        }
        return new Json.JsonNumber(value);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private char peek() {
        return position < text.length() ? text.charAt(position) : '\0';
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        position++;
    }

    private void skipWhitespace() {
        while (position < text.length()) {
            char c = text.charAt(position);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            position++;
        }
    }

    private static String printable(char c) {
        return c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }

    private JsonException error(String what) {
        int byteOffset = text.substring(0, Math.min(position, text.length())).getBytes(StandardCharsets.UTF_8).length;
        return new JsonException(what + " at byte " + byteOffset);
    }
}
