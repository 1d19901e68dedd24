package dev.lode.engine.importer.hdf5;

import io.jhdf.checksum.ChecksumUtils;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Byte surgery on files written by jhdf (superblock version 2 or 3, version 2 object headers). */
public final class Hdf5Fixtures {
    private Hdf5Fixtures() {
    }

    /**
     * The file moved behind a 512-byte user block that starts with {@code header}, as MATLAB v7.3 writes: the
     * superblock's base address becomes 512 (other addresses are relative to it) and its checksum is recomputed.
     */
    public static byte[] withUserBlock(byte[] hdf5, String header) {
        byte[] shifted = new byte[512 + hdf5.length];
        byte[] text = header.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, shifted, 0, text.length);
        System.arraycopy(hdf5, 0, shifted, 512, hdf5.length);
        ByteBuffer superblock = ByteBuffer.wrap(shifted, 512, 48).slice().order(ByteOrder.LITTLE_ENDIAN);
        if (superblock.get(8) < 2) {
            throw new IllegalArgumentException("superblock version " + superblock.get(8) + " is not handled");
        }
        superblock.putLong(12, 512);
        superblock.putInt(44, ChecksumUtils.checksum(superblock.slice(0, 44)));
        return shifted;
    }

    /** Changes the class of every float datatype message in the file's object headers, fixing their checksums. */
    static byte[] retypeFloats(byte[] file, int newClass) {
        byte[] bytes = file.clone();
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int start = 0; start + 4 < bytes.length; start++) {
            if (bytes[start] != 'O' || bytes[start + 1] != 'H' || bytes[start + 2] != 'D' || bytes[start + 3] != 'R') {
                continue;
            }
            int flags = bytes[start + 5] & 0xFF;
            int at = start + 6 + ((flags & 0x20) != 0 ? 16 : 0) + ((flags & 0x10) != 0 ? 4 : 0);
            int sizeBytes = 1 << (flags & 3);
            long size = switch (sizeBytes) {
                case 1 -> bytes[at] & 0xFF;
                case 2 -> buffer.getShort(at) & 0xFFFF;
                case 4 -> buffer.getInt(at) & 0xFFFFFFFFL;
                default -> buffer.getLong(at);
            };
            at += sizeBytes;
            int end = (int) (at + size);
            while (at + 4 <= end) {
                int type = bytes[at] & 0xFF;
                int length = buffer.getShort(at + 1) & 0xFFFF;
                int data = at + 4 + ((flags & 0x04) != 0 ? 2 : 0);
                if (type == 3 && (bytes[data] & 0x0F) == 1) {
                    bytes[data] = (byte) ((bytes[data] & 0xF0) | newClass);
                }
                at = data + length;
            }
            buffer.putInt(end, ChecksumUtils.checksum(ByteBuffer.wrap(bytes, start, end - start).slice()));
        }
        return bytes;
    }
}
