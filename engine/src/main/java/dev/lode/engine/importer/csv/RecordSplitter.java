package dev.lode.engine.importer.csv;

import dev.lode.engine.importer.ImportException;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * Cuts a file into {@link Chunk}s of whole records, in one sequential pass that only tracks quote state and line
 * ends, so that the chunks can then be parsed in parallel. Holds one buffer of about one chunk (more only for a
 * record longer than a chunk, up to {@link #MAX_RECORD_BYTES}), so memory does not grow with the file.
 * Where chunks are cut depends only on the bytes, never on how reads return. Not thread-safe.
 */
final class RecordSplitter {
    static final int MAX_RECORD_BYTES = 64 << 20;
    private static final int READ_BYTES = 1 << 20;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final ReadableByteChannel channel;
    private final LongConsumer bytesRead;
    private final int maxRecords;
    private final int maxBytes;

    private byte[] buffer = new byte[2 * READ_BYTES];
    private long bufferOffset;
    private int chunkStart;
    private int scan;
    private int limit;
    private boolean endOfFile;
    private boolean failed;

    private long line = 1;
    private long recordLine = 1;
    private boolean quoted;
    private long quoteOpenLine;
    private long lastClosingQuote = -2;

    /**
     * @param skip bytes at the start of the channel's content that belong to no record (a byte order mark); the
     *             channel must be positioned after them
     */
    RecordSplitter(Path file, ReadableByteChannel channel, long skip, LongConsumer bytesRead, int maxRecords,
                   int maxBytes) {
        this.file = file;
        this.channel = channel;
        this.bytesRead = bytesRead;
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
        this.bufferOffset = skip;
    }

    /** The next chunk of at most the given number of records, null at the end of the file. */
    Chunk next() throws IOException {
        return next(maxRecords);
    }

    Chunk next(int recordLimit) throws IOException {
        if (failed) {
            return null;
        }
        long firstLine = line;
        int records = 0;
        int recordEnd = chunkStart;
        while (true) {
            if (scan == limit) {
                int shift = chunkStart;
                boolean more = fill();
                recordEnd -= shift;
                if (!more) {
                    // An unclosed quote leaves the rest as one last record: the parser then reports either
                    // the quote, where its field started, or an earlier stray quote that misled the count here.
                    if (limit > recordEnd) {
                        records++;
                        recordEnd = limit;
                    }
                    break;
                }
                if (limit - recordEnd > MAX_RECORD_BYTES) {
                    failed = true;
                    String what = quoted ? "a quoted field starting at line " + quoteOpenLine : "a record";
                    return errorChunk(new ImportException(file, "line " + recordLine,
                            what + " is longer than " + (MAX_RECORD_BYTES >> 20) + " MiB; is a quote not closed?"));
                }
            }
            byte[] bytes = buffer;
            int end = limit;
            int i = scan;
            boolean recordDone = false;
            while (i < end) {
                // Eight bytes at a time past text that holds no quote or line end (most of a typical record).
                while (i + Long.BYTES <= end && !Swar.hasQuoteOrLineEnd((long) LONGS.get(bytes, i))) {
                    i += Long.BYTES;
                }
                if (i == end) {
                    break;
                }
                byte b = bytes[i];
                if (b > '"' || b < 0) {
                    i++;
                    continue;
                }
                if (b == '"') {
                    long at = bufferOffset + i;
                    if (quoted) {
                        lastClosingQuote = at;
                    } else if (at != lastClosingQuote + 1) {
                        quoteOpenLine = line;
                    }
                    quoted = !quoted;
                    i++;
                } else if (b == '\n') {
                    line++;
                    i++;
                    if (!quoted) {
                        recordDone = true;
                        break;
                    }
                } else if (b == '\r') {
                    if (i + 1 == end && !endOfFile) {
                        break; // decide once the next byte is read
                    }
                    i += (i + 1 < end && bytes[i + 1] == '\n') ? 2 : 1;
                    line++;
                    if (!quoted) {
                        recordDone = true;
                        break;
                    }
                } else {
                    i++;
                }
            }
            scan = i;
            if (recordDone) {
                records++;
                recordLine = line;
                recordEnd = i;
                if (records >= recordLimit || recordEnd - chunkStart >= maxBytes) {
                    break;
                }
            } else if (i < end) {
                // A carriage return at the end of the buffer: force a read so the loop sees what follows it.
                int shift = chunkStart;
                fill();
                recordEnd -= shift;
            }
        }
        if (recordEnd == chunkStart) {
            return null;
        }
        Chunk chunk = new Chunk(Arrays.copyOfRange(buffer, chunkStart, recordEnd), records, firstLine,
                bufferOffset + chunkStart, null);
        chunkStart = recordEnd;
        return chunk;
    }

    private Chunk errorChunk(ImportException error) {
        return new Chunk(new byte[0], 0, line, bufferOffset + scan, error);
    }

    /**
     * Moves the current chunk to the front of the buffer (growing it if the chunk fills it) and reads more.
     * Indices shift down by the old chunkStart. False at the end of the file.
     */
    private boolean fill() throws IOException {
        if (chunkStart > 0) {
            System.arraycopy(buffer, chunkStart, buffer, 0, limit - chunkStart);
            bufferOffset += chunkStart;
            scan -= chunkStart;
            limit -= chunkStart;
            chunkStart = 0;
        }
        if (endOfFile) {
            return false;
        }
        if (buffer.length - limit < READ_BYTES) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, limit + READ_BYTES));
        }
        ByteBuffer target = ByteBuffer.wrap(buffer, limit, Math.min(READ_BYTES, buffer.length - limit));
        int read = channel.read(target);
        while (read == 0) {
            read = channel.read(target);
        }
        if (read < 0) {
            endOfFile = true;
            return false;
        }
        limit += read;
        bytesRead.accept(read);
        return true;
    }
}
