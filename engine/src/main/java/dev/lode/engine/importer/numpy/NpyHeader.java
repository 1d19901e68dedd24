package dev.lode.engine.importer.numpy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The header of a .npy array (format versions 1.0, 2.0 and 3.0): the magic, the version, and the header dict, a
 * Python literal such as {@code {'descr': '<f4', 'fortran_order': False, 'shape': (10, 3), }}. The dict is parsed
 * strictly: exactly the keys descr, fortran_order and shape, each once; string, boolean and integer-tuple values.
 *
 * @param dataOffset the byte offset of the data from the start of the array
 */
record NpyHeader(Dtype dtype, boolean fortranOrder, long[] shape, long dataOffset) {
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int MAX_HEADER = 1 << 20;

    long samples() {
        return shape[0];
    }

    /** The number of items in one sample: the product of the trailing dimensions (1 for a 1-D array). */
    int itemsPerSample() {
        long items = 1;
        for (int i = 1; i < shape.length; i++) {
            items *= shape[i];
        }
        return (int) items;
    }

    long sampleBytes() {
        return (long) itemsPerSample() * dtype.itemSize();
    }

    long dataBytes() {
        return samples() * sampleBytes();
    }

    long[] trailingShape() {
        return Arrays.copyOfRange(shape, 1, shape.length);
    }

    static String shapeText(long[] shape) {
        StringBuilder text = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            text.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return text.append(shape.length == 1 ? ",)" : ")").toString();
    }

    /** Reads the header from the start of {@code in}, leaving the stream at the first data byte. */
    static NpyHeader read(InputStream in, Origin origin) throws IOException {
        byte[] prefix = readFully(in, 8, origin, 0, "header");
        if (!Arrays.equals(prefix, 0, 6, MAGIC, 0, 6)) {
            throw origin.at(0, "not a .npy array (bad magic; expected \\x93NUMPY)");
        }
        int major = prefix[6] & 0xFF;
        int minor = prefix[7] & 0xFF;
        if (minor != 0 || major < 1 || major > 3) {
            throw origin.at(6, "unsupported .npy format version " + major + "." + minor
                    + " (supported: 1.0, 2.0, 3.0)");
        }
        int lengthBytes = major == 1 ? 2 : 4;
        byte[] lengthField = readFully(in, lengthBytes, origin, 8, "header");
        long length = 0;
        for (int i = lengthBytes - 1; i >= 0; i--) {
            length = (length << 8) | (lengthField[i] & 0xFF);
        }
        long start = 8 + lengthBytes;
        if (length > MAX_HEADER) {
            throw origin.at(8, "header length " + length + " is larger than the limit of " + MAX_HEADER);
        }
        byte[] dict = readFully(in, (int) length, origin, start, "header");
        String text = new String(dict, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        return new Parser(text, origin, start).header(start + length);
    }

    private static byte[] readFully(InputStream in, int length, Origin origin, long offset, String what)
            throws IOException {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length < length) {
            throw origin.at(offset + bytes.length, "truncated " + what + ": expected " + length + " bytes, found "
                    + bytes.length);
        }
        return bytes;
    }

    /** A strict parser of the header dict. Offsets in errors are bytes for ASCII headers (all that numpy writes). */
    private static final class Parser {
        private final String text;
        private final Origin origin;
        private final long base;
        private int position;

        Parser(String text, Origin origin, long base) {
            this.text = text;
            this.origin = origin;
            this.base = base;
        }

        NpyHeader header(long dataOffset) {
            String descr = null;
            Boolean fortran = null;
            long[] shape = null;
            String rawDescr = null;
            expect('{');
            while (true) {
                skipSpace();
                if (peek() == '}') {
                    position++;
                    break;
                }
                int keyAt = position;
                String key = string();
                skipSpace();
                expect(':');
                skipSpace();
                switch (key) {
                    case "descr" -> {
                        if (rawDescr != null) {
                            throw malformed(keyAt, "key 'descr' appears twice");
                        }
                        int valueAt = position;
                        if (peek() == '\'' || peek() == '"') {
                            descr = string();
                        } else {
                            skipValue();
                        }
                        rawDescr = text.substring(valueAt, position);
                    }
                    case "fortran_order" -> {
                        if (fortran != null) {
                            throw malformed(keyAt, "key 'fortran_order' appears twice");
                        }
                        fortran = bool();
                    }
                    case "shape" -> {
                        if (shape != null) {
                            throw malformed(keyAt, "key 'shape' appears twice");
                        }
                        shape = tuple();
                    }
                    default -> throw malformed(keyAt, "unknown key '" + key + "'");
                }
                skipSpace();
                if (peek() == ',') {
                    position++;
                } else if (peek() != '}') {
                    throw malformed(position, "expected ',' or '}'");
                }
            }
            skipSpace();
            if (position != text.length()) {
                throw malformed(position, "unexpected text after the dict");
            }
            if (rawDescr == null || fortran == null || shape == null) {
                throw malformed(0, "missing key '" + (rawDescr == null ? "descr" : fortran == null
                        ? "fortran_order" : "shape") + "'");
            }
            Dtype dtype = descr == null ? null : Dtype.parse(descr);
            if (dtype == null) {
                String shown = descr != null ? descr : rawDescr;
                String hint = descr != null && descr.length() > 1 && descr.substring(1).equals("f2")
                        ? " (float16 is not supported; convert the array to float32)" : "";
                throw origin.whole("unsupported dtype '" + shown + "'" + hint
                        + "; supported: b1, i1-i8, u1-u8, f4, f8, S<n>, U<n>");
            }
            if (shape.length == 0) {
                throw origin.whole("0-d arrays are not supported: the first axis is the sample axis");
            }
            long items = 1;
            for (int i = 1; i < shape.length; i++) {
                if (shape[i] == 0) {
                    throw origin.whole("shape " + shapeText(shape) + " has a trailing dimension of size 0");
                }
                if (shape[i] > Integer.MAX_VALUE / items) {
                    throw origin.whole("shape " + shapeText(shape) + " has too many items per sample");
                }
                items *= shape[i];
            }
            long bytes = items * dtype.itemSize();
            if (bytes > Integer.MAX_VALUE || (shape[0] > 0 && Long.MAX_VALUE / shape[0] < bytes)) {
                throw origin.whole("shape " + shapeText(shape) + " is too large");
            }
            return new NpyHeader(dtype, fortran, shape, dataOffset);
        }

        private String string() {
            char quote = peek();
            if (quote != '\'' && quote != '"') {
                throw malformed(position, "expected a string");
            }
            int end = text.indexOf(quote, position + 1);
            if (end < 0) {
                throw malformed(position, "unterminated string");
            }
            String value = text.substring(position + 1, end);
            if (value.indexOf('\\') >= 0) {
                throw malformed(position, "escapes in strings are not supported");
            }
            position = end + 1;
            return value;
        }

        private boolean bool() {
            if (text.startsWith("True", position)) {
                position += 4;
                return true;
            }
            if (text.startsWith("False", position)) {
                position += 5;
                return false;
            }
            throw malformed(position, "expected True or False");
        }

        private long[] tuple() {
            expect('(');
            List<Long> values = new ArrayList<>();
            boolean trailingComma = false;
            while (true) {
                skipSpace();
                if (peek() == ')') {
                    position++;
                    break;
                }
                int start = position;
                while (position < text.length() && Character.isDigit(text.charAt(position))) {
                    position++;
                }
                if (start == position || position - start > 18) {
                    throw malformed(start, "expected a dimension (a non-negative integer)");
                }
                values.add(Long.parseLong(text.substring(start, position)));
                if (peek() == 'L') {
                    position++; // Python 2 long literals
                }
                skipSpace();
                trailingComma = peek() == ',';
                if (trailingComma) {
                    position++;
                } else if (peek() != ')') {
                    throw malformed(position, "expected ',' or ')' in the shape");
                }
            }
            if (values.size() == 1 && !trailingComma) {
                throw malformed(position - 1, "a one-element shape needs a trailing comma");
            }
            return values.stream().mapToLong(Long::longValue).toArray();
        }

        /** Skips a list or tuple (a structured dtype's descr) so the error can quote it. */
        private void skipValue() {
            int depth = 0;
            int start = position;
            while (position < text.length()) {
                char c = text.charAt(position);
                if (c == '\'' || c == '"') {
                    string();
                    continue;
                }
                if (c == '[' || c == '(' || c == '{') {
                    depth++;
                } else if (c == ']' || c == ')' || c == '}') {
                    depth--;
                }
                position++;
                if (depth == 0) {
                    return;
                }
                if (depth < 0) {
                    break;
                }
            }
            throw malformed(start, "expected a descr value");
        }

        private void expect(char c) {
            if (peek() != c) {
                throw malformed(position, "expected '" + c + "'");
            }
            position++;
        }

        private char peek() {
            return position < text.length() ? text.charAt(position) : '\0';
        }

        private void skipSpace() {
            while (position < text.length() && (text.charAt(position) == ' ' || text.charAt(position) == '\n')) {
                position++;
            }
        }

        private RuntimeException malformed(int at, String reason) {
            return origin.at(base + at, "malformed header dict: " + reason);
        }
    }
}
