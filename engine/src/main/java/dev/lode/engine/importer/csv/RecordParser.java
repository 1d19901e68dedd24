package dev.lode.engine.importer.csv;

import dev.lode.engine.importer.ImportException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Splits the records of one chunk into fields by RFC 4180: a field is quoted when it starts with a quote, a quote
 * inside a quoted field is doubled, and quoted fields may hold delimiters and line ends. Records end with LF, CRLF
 * or CR. A quote inside an unquoted field, or anything but a delimiter or line end after a closing quote, is an
 * error, which keeps the splitter's quote tracking and this parser in agreement. Not thread-safe.
 */
final class RecordParser {
    static final byte QUOTE = '"';
    static final byte QUOTED = 1;
    static final byte ESCAPED = 2;

    private final Path file;
    private final byte[] bytes;
    private final int end;
    private final byte delimiter;
    private int position;
    private long line;

    private long recordLine;
    private int fieldCount;
    private int[] starts = new int[16];
    private int[] ends = new int[16];
    private byte[] flags = new byte[16];

    RecordParser(Path file, Chunk chunk, byte delimiter) {
        this.file = file;
        this.bytes = chunk.bytes();
        this.end = bytes.length;
        this.delimiter = delimiter;
        this.line = chunk.firstLine();
    }

    /** Parses the next record; false when the chunk has no more. */
    boolean next() {
        if (position >= end) {
            return false;
        }
        recordLine = line;
        byte[] data = bytes;
        int p = position;
        int field = 0;
        while (true) {
            if (field == starts.length) {
                grow();
            }
            if (p < end && data[p] == QUOTE) {
                long openLine = line;
                int start = p + 1;
                int q = start;
                byte flag = QUOTED;
                while (true) {
                    if (q >= end) {
                        throw error(openLine, "a quoted field is not closed before the end of the file");
                    }
                    byte b = data[q];
                    if (b == QUOTE) {
                        if (q + 1 < end && data[q + 1] == QUOTE) {
                            flag = QUOTED | ESCAPED;
                            q += 2;
                            continue;
                        }
                        break;
                    }
                    if (b == '\n' || (b == '\r' && !(q + 1 < end && data[q + 1] == '\n'))) {
                        line++;
                    }
                    q++;
                }
                starts[field] = start;
                ends[field] = q;
                flags[field] = flag;
                p = q + 1;
                if (p < end && data[p] != delimiter && data[p] != '\n' && data[p] != '\r') {
                    throw error(line, "field " + (field + 1) + " has text after its closing quote"
                            + " (a quote inside a quoted field must be doubled)");
                }
            } else {
                int start = p;
                while (p < end) {
                    byte b = data[p];
                    if (b == delimiter || b == '\n' || b == '\r') {
                        break;
                    }
                    if (b == QUOTE) {
                        throw error(line, "field " + (field + 1) + " has a quote but does not start with one"
                                + " (a field with quotes must be quoted, each quote doubled)");
                    }
                    p++;
                }
                starts[field] = start;
                ends[field] = p;
                flags[field] = 0;
            }
            field++;
            if (p >= end) {
                break;
            }
            byte b = data[p];
            if (b == delimiter) {
                p++;
                continue;
            }
            p += (b == '\r' && p + 1 < end && data[p + 1] == '\n') ? 2 : 1;
            line++;
            break;
        }
        position = p;
        fieldCount = field;
        return true;
    }

    private void grow() {
        int size = starts.length * 2;
        starts = Arrays.copyOf(starts, size);
        ends = Arrays.copyOf(ends, size);
        flags = Arrays.copyOf(flags, size);
    }

    /** Checks the last record has the expected number of fields; false for a blank line to skip. */
    boolean checkFieldCount(int expected) {
        if (fieldCount == expected) {
            return true;
        }
        if (fieldCount == 1 && expected > 1 && isBlank(0)) {
            return false;
        }
        throw error(recordLine, fieldCount + (fieldCount == 1 ? " field" : " fields") + ", expected " + expected);
    }

    private boolean isBlank(int field) {
        return starts[field] == ends[field] && flags[field] == 0;
    }

    ImportException error(long atLine, String reason) {
        return new ImportException(file, "line " + atLine, reason);
    }

    long recordLine() {
        return recordLine;
    }

    int fieldCount() {
        return fieldCount;
    }

    byte[] bytes() {
        return bytes;
    }

    int start(int field) {
        return starts[field];
    }

    int end(int field) {
        return ends[field];
    }

    boolean isQuoted(int field) {
        return (flags[field] & QUOTED) != 0;
    }

    /** Whether the field holds doubled quotes, so its bytes must be {@link #unescape unescaped}. */
    boolean isEscaped(int field) {
        return (flags[field] & ESCAPED) != 0;
    }

    /** Copies the field's value, doubled quotes made single, into target (large enough); returns its length. */
    int unescape(int field, byte[] target) {
        int length = 0;
        int endOfField = ends[field];
        for (int i = starts[field]; i < endOfField; i++) {
            target[length++] = bytes[i];
            if (bytes[i] == QUOTE) {
                i++;
            }
        }
        return length;
    }

    /** The field's value as text (for headers). */
    String text(int field) {
        if (isEscaped(field)) {
            byte[] target = new byte[ends[field] - starts[field]];
            return new String(target, 0, unescape(field, target), StandardCharsets.UTF_8);
        }
        return new String(bytes, starts[field], ends[field] - starts[field], StandardCharsets.UTF_8);
    }
}
