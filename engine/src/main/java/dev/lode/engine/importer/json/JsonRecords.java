package dev.lode.engine.importer.json;

import dev.lode.engine.importer.ImportException;
import dev.lode.engine.json.Json;
import dev.lode.engine.json.JsonException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Streams the records of one file: the non-blank lines of JSON Lines, or the elements of a top-level array (which
 * may span lines). Each record is checked (UTF-8, strict JSON, an object) and returned with keys in source order.
 * Holds one record's bytes at a time.
 */
final class JsonRecords implements AutoCloseable {
    private static final Pattern AT_BYTE = Pattern.compile("^(.*) at byte (\\d+)$", Pattern.DOTALL);
    private static final int BUFFER_BYTES = 1 << 16;

    /** One record: its parsed object and the line (1-based) where it starts. */
    record JsonRecord(JsonValues.ObjectValue value, long line) {
    }

    private enum Mode { LINES, ARRAY }

    private enum ArrayState { ELEMENT_OR_END, ELEMENT, COMMA_OR_END, DONE }

    private final Path file;
    private final InputStream in;
    private final LongConsumer bytesRead;
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private int bufferLength;
    private int bufferPosition;
    private long offset;       // file offset of the next byte to read
    private long line = 1;     // line of the next byte to read
    private final Mode mode;
    private ArrayState arrayState = ArrayState.ELEMENT_OR_END;
    private long elementNumber;
    private final ByteArrayOutputStream record = new ByteArrayOutputStream();

    JsonRecords(Path file, LongConsumer bytesRead) throws IOException {
        this.file = file;
        this.bytesRead = bytesRead;
        this.in = open(file);
        try {
            if (peek() == 0xEF) {
                // A UTF-8 byte order mark, if complete, is skipped.
                read();
                if (read() != 0xBB || read() != 0xBF) {
                    throw new ImportException(file, "line 1, byte 0", "invalid UTF-8");
                }
            }
            int first = skipWhitespace();
            if (first < 0) {
                throw new ImportException(file, null, "the file is empty");
            }
            if (first == '[') {
                read();
                mode = Mode.ARRAY;
            } else {
                mode = Mode.LINES;
            }
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    static InputStream open(Path file) throws IOException {
        try {
            return Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new ImportException(file, null, "the file does not exist", e);
        } catch (AccessDeniedException e) {
            throw new ImportException(file, null, "the file cannot be read (access denied)", e);
        }
    }

    /** The next record, or null at the end of the file. */
    JsonRecord next() throws IOException {
        return mode == Mode.LINES ? nextLine() : nextElement();
    }

    private JsonRecord nextLine() throws IOException {
        while (true) {
            record.reset();
            long start = offset;
            long startLine = line;
            int b;
            boolean blank = true;
            while ((b = read()) >= 0 && b != '\n') {
                record.write(b);
                if (b != ' ' && b != '\t' && b != '\r') {
                    blank = false;
                }
            }
            if (!blank) {
                byte[] bytes = record.toByteArray();
                int length = bytes.length;
                if (length > 0 && bytes[length - 1] == '\r') {
                    length--;
                }
                JsonValues.Value value = parse(bytes, length, start, startLine);
                if (!(value instanceof JsonValues.ObjectValue object)) {
                    throw new ImportException(file, "line " + startLine,
                            "expected a JSON object, found " + JsonValues.describe(value));
                }
                return new JsonRecord(object, startLine);
            }
            if (b < 0) {
                return null;
            }
        }
    }

    private JsonRecord nextElement() throws IOException {
        while (true) {
            int b = skipWhitespace();
            switch (arrayState) {
                case DONE -> {
                    if (b >= 0) {
                        throw new ImportException(file, "line " + line + ", byte " + offset,
                                "unexpected text after the top-level array");
                    }
                    return null;
                }
                case COMMA_OR_END -> {
                    if (b < 0) {
                        throw unterminated();
                    }
                    read();
                    if (b == ']') {
                        arrayState = ArrayState.DONE;
                    } else if (b == ',') {
                        arrayState = ArrayState.ELEMENT;
                    } else {
                        throw new ImportException(file, "line " + line + ", byte " + (offset - 1),
                                "expected ',' or ']' after array element " + elementNumber);
                    }
                }
                case ELEMENT_OR_END, ELEMENT -> {
                    if (b < 0) {
                        throw unterminated();
                    }
                    if (b == ']') {
                        if (arrayState == ArrayState.ELEMENT) {
                            throw new ImportException(file, "line " + line + ", byte " + offset,
                                    "expected an array element after ','");
                        }
                        read();
                        arrayState = ArrayState.DONE;
                        continue;
                    }
                    return readElement();
                }
            }
        }
    }

    /** Reads one array element's bytes: up to the ',' or ']' at nesting depth zero, outside strings. */
    private JsonRecord readElement() throws IOException {
        record.reset();
        long start = offset;
        long startLine = line;
        int depth = 0;
        boolean inString = false;
        boolean escaped = false;
        while (true) {
            int b = peek();
            if (b < 0) {
                throw unterminated();
            }
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (b == '\\') {
                    escaped = true;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == '{' || b == '[') {
                depth++;
            } else if (b == '}' || b == ']') {
                if (depth == 0) {
                    break;
                }
                depth--;
            } else if (b == ',' && depth == 0) {
                break;
            }
            record.write(read());
        }
        elementNumber++;
        arrayState = ArrayState.COMMA_OR_END;
        byte[] bytes = record.toByteArray();
        JsonValues.Value value = parse(bytes, bytes.length, start, startLine);
        if (!(value instanceof JsonValues.ObjectValue object)) {
            throw new ImportException(file, "line " + startLine, "array element " + elementNumber
                    + " is not an object but " + JsonValues.describe(value));
        }
        return new JsonRecord(object, startLine);
    }

    private ImportException unterminated() {
        return new ImportException(file, "line " + line, "unterminated array: the file ends before its closing ']'");
    }

    /** Checks UTF-8 and strict JSON (by {@link Json#parse}), then reads the value with keys in source order. */
    private JsonValues.Value parse(byte[] bytes, int length, long start, long startLine) {
        byte[] text = length == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, length);
        int invalid = firstInvalidUtf8(text);
        if (invalid >= 0) {
            throw new ImportException(file, "line " + lineAt(text, invalid, startLine) + ", byte " + (start + invalid),
                    "invalid UTF-8");
        }
        try {
            Json.parse(text);
        } catch (JsonException e) {
            Matcher matcher = AT_BYTE.matcher(e.getMessage());
            if (matcher.matches()) {
                int at = Integer.parseInt(matcher.group(2));
                throw new ImportException(file, "line " + lineAt(text, at, startLine) + ", byte " + (start + at),
                        "invalid JSON: " + matcher.group(1), e);
            }
            throw new ImportException(file, "line " + startLine, "invalid JSON: " + e.getMessage(), e);
        }
        return new JsonValues(text).read();
    }

    private static long lineAt(byte[] text, int at, long startLine) {
        long result = startLine;
        for (int i = 0; i < Math.min(at, text.length); i++) {
            if (text[i] == '\n') {
                result++;
            }
        }
        return result;
    }

    private static int firstInvalidUtf8(byte[] text) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(text);
        CharBuffer out = CharBuffer.allocate(Math.max(16, text.length));
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            return in.position();
        }
        result = decoder.flush(out);
        return result.isError() ? in.position() : -1;
    }

    /** Skips white space (counting lines); returns the next byte without consuming it, or -1 at the end. */
    private int skipWhitespace() throws IOException {
        int b;
        while ((b = peek()) == ' ' || b == '\t' || b == '\r' || b == '\n') {
            read();
        }
        return b;
    }

    private int peek() throws IOException {
        if (bufferPosition == bufferLength && !fill()) {
            return -1;
        }
        return buffer[bufferPosition] & 0xFF;
    }

    private int read() throws IOException {
        if (bufferPosition == bufferLength && !fill()) {
            return -1;
        }
        int b = buffer[bufferPosition++] & 0xFF;
        offset++;
        if (b == '\n') {
            line++;
        }
        return b;
    }

    private boolean fill() throws IOException {
        int n = in.read(buffer, 0, buffer.length);
        if (n <= 0) {
            return false;
        }
        bufferLength = n;
        bufferPosition = 0;
        bytesRead.accept(n);
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
