package dev.lode.engine.importer.numpy;

import dev.lode.engine.importer.ImportException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads runs of samples of one array in C order (sample i, then its items with the last axis fastest), as raw
 * bytes in the file's byte order. Fortran-order arrays are gathered item by item and transposed.
 */
final class Samples {
    /** Positional reads of the array's data bytes (offset 0 is the first data byte). */
    interface Bytes {
        void readFully(long offset, byte[] target, int targetOffset, int length) throws IOException;
    }

    private final NpyHeader header;
    private final Bytes bytes;
    private final int[] cIndexOfFortran;
    private byte[] gathered = new byte[0];

    Samples(NpyHeader header, Bytes bytes) {
        this.header = header;
        this.bytes = bytes;
        this.cIndexOfFortran = header.fortranOrder() && header.shape().length > 1 ? fortranToC(header.shape()) : null;
    }

    /** Reads samples [first, first + count) into target, which holds at least count * sampleBytes bytes. */
    void read(long first, int count, byte[] target) throws IOException {
        long sampleBytes = header.sampleBytes();
        if (cIndexOfFortran == null) {
            bytes.readFully(first * sampleBytes, target, 0, (int) (count * sampleBytes));
            return;
        }
        int itemSize = header.dtype().itemSize();
        int items = header.itemsPerSample();
        long samples = header.samples();
        int run = count * itemSize;
        if (gathered.length < run) {
            gathered = new byte[run];
        }
        for (int f = 0; f < items; f++) {
            // In Fortran order the first axis is fastest, so item f of samples [first, first + count) is contiguous.
            bytes.readFully(((long) f * samples + first) * itemSize, gathered, 0, run);
            int c = cIndexOfFortran[f];
            for (int s = 0; s < count; s++) {
                System.arraycopy(gathered, s * itemSize, target, (s * items + c) * itemSize, itemSize);
            }
        }
    }

    /** For each trailing item in Fortran order (first trailing axis fastest), its index in C order. */
    private static int[] fortranToC(long[] shape) {
        int dimensions = shape.length - 1;
        int items = 1;
        for (int d = 1; d < shape.length; d++) {
            items *= (int) shape[d];
        }
        int[] map = new int[items];
        int[] index = new int[dimensions];
        for (int f = 0; f < items; f++) {
            int c = 0;
            for (int d = 0; d < dimensions; d++) {
                c = c * (int) shape[d + 1] + index[d];
            }
            map[f] = c;
            for (int d = 0; d < dimensions; d++) {
                if (++index[d] < shape[d + 1]) {
                    break;
                }
                index[d] = 0;
            }
        }
        return map;
    }

    /** The data of a .npy file read through its channel. */
    static Bytes of(FileChannel channel, long dataOffset) {
        return (offset, target, targetOffset, length) -> {
            ByteBuffer buffer = ByteBuffer.wrap(target, targetOffset, length);
            long position = dataOffset + offset;
            while (buffer.hasRemaining()) {
                int read = channel.read(buffer, position);
                if (read < 0) {
                    throw new java.io.EOFException("end of file at byte " + position);
                }
                position += read;
            }
        };
    }

    /** Data held in memory (a Fortran-order .npz member, which cannot be read out of order from its stream). */
    static Bytes of(byte[] data) {
        return (offset, target, targetOffset, length) -> System.arraycopy(data, (int) offset, target, targetOffset,
                length);
    }

    /** Data read once, in order, from a stream positioned at the first data byte. */
    static Bytes sequential(InputStream in, NpyHeader header, Origin origin) {
        long[] next = {0};
        return (offset, target, targetOffset, length) -> {
            if (offset != next[0]) {
                throw new IllegalStateException("out-of-order read at " + offset + ", expected " + next[0]);
            }
            int read = in.readNBytes(target, targetOffset, length);
            next[0] += read;
            if (read < length) {
                throw truncated(origin, header, next[0]);
            }
        };
    }

    static ImportException truncated(Origin origin, NpyHeader header, long found) {
        return origin.at(header.dataOffset() + found, "truncated: expected " + header.dataBytes()
                + " bytes of data, found " + found);
    }
}
