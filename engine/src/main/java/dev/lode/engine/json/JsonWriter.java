package dev.lode.engine.json;

import java.util.Comparator;
import java.util.Map;

final class JsonWriter {
    /** Orders keys by Unicode code point (which is also UTF-8 byte order), unlike String's UTF-16 order. */
    static final Comparator<String> CODE_POINT_ORDER = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    private JsonWriter() {
    }

    static void write(StringBuilder out, Json value) {
        switch (value) {
            case Json.JsonObject object -> {
                out.append('{');
                boolean first = true;
                for (Map.Entry<String, Json> member : object.members().entrySet()) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    writeString(out, member.getKey());
                    out.append(':');
                    write(out, member.getValue());
                }
                out.append('}');
            }
            case Json.JsonArray array -> {
                out.append('[');
                for (int i = 0; i < array.values().size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(out, array.values().get(i));
                }
                out.append(']');
            }
            default -> out.append(value.toString());
        }
    }

    /** Escapes only what JSON requires: quote, backslash and control characters (as \\uXXXX or the short forms). */
    static void writeString(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
