package dev.lode.engine;

import java.nio.charset.StandardCharsets;

/**
 * Rules for dataset, branch and tag names. A name is 1 to 200 UTF-8 bytes of printable characters; it may contain
 * '/' between non-empty parts, but none of: a '/' at either end, "//", "..", a part starting with '.', a part
 * ending in ".lock", white space, control characters, invisible formatting characters (such as U+200B or U+202E),
 * or any of {@code @ : ~ ^ ? * [ ] \ % "}. These keep names safe as file and key names, unambiguous inside a
 * revision such as {@code cifar10@v2}, and distinct when printed.
 */
public final class Names {
    public static final int MAX_BYTES = 200;
    private static final String FORBIDDEN = "@:~^?*[]\\%\"";

    private Names() {
    }

    /** Returns the name if valid, else throws a {@link LodeException} that names the input and the rule broken. */
    public static String check(String what, String name) {
        String problem = problem(name);
        if (problem != null) {
            throw new LodeException("Invalid " + what + " name '" + printable(name, 60) + "': " + problem);
        }
        return name;
    }

    /** Why the name is invalid, or null if it is valid. */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "it is empty";
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            return "it is " + bytes + " bytes long, the limit is " + MAX_BYTES;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                return "it contains a control character at position " + i;
            }
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                return "it contains white space at position " + i;
            }
            if (Character.getType(c) == Character.FORMAT) {
                // Zero-width and bidirectional-override characters would let two different names look the same.
                return "it contains an invisible formatting character U+" + String.format("%04X", (int) c)
                        + " at position " + i;
            }
            if (FORBIDDEN.indexOf(c) >= 0) {
                return "it contains '" + c + "', which names may not contain";
            }
            if (Character.isSurrogate(c) && !Character.isSurrogatePair(name.charAt(Math.max(0, i - 1)), c)
                    && !(i + 1 < name.length() && Character.isSurrogatePair(c, name.charAt(i + 1)))) {
                return "it contains an unpaired surrogate at position " + i;
            }
        }
        if (name.startsWith("/") || name.endsWith("/")) {
            return "it starts or ends with '/'";
        }
        if (name.contains("..")) {
            return "it contains '..'";
        }
        for (String part : name.split("/", -1)) {
            if (part.isEmpty()) {
                return "it contains '//'";
            }
            if (part.startsWith(".")) {
                return "a part starts with '.'";
            }
            if (part.endsWith(".lock")) {
                return "a part ends with '.lock'";
            }
        }
        return null;
    }

    /** The text with control characters escaped and cut to at most {@code max} characters, for messages. */
    public static String printable(String text, int max) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < max; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (out.length() >= max && text.length() > max) {
            out.setLength(max);
            out.append('…');
        }
        return out.toString();
    }
}
