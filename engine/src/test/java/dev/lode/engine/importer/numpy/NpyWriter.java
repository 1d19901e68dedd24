package dev.lode.engine.importer.numpy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.IntToLongFunction;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes .npy bytes the way numpy does, for tests: header padded to 64 bytes, then raw items. Public for the CLI's
 * bad-input tests.
 */
public final class NpyWriter {
    private NpyWriter() {
    }

    public static byte[] header(int major, String dict, long dataBytes) {
        int prefix = major == 1 ? 10 : 12;
        StringBuilder text = new StringBuilder(dict);
        while ((prefix + text.length() + 1) % 64 != 0) {
            text.append(' ');
        }
        text.append('\n');
        byte[] body = text.toString().getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(NpyHeader.MAGIC);
        out.write(major);
        out.write(0);
        for (int i = 0; i < (major == 1 ? 2 : 4); i++) {
            out.write(body.length >>> (8 * i));
        }
        out.writeBytes(body);
        return out.toByteArray();
    }

    public static String dict(String descr, boolean fortran, long... shape) {
        return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': "
                + NpyHeader.shapeText(shape) + ", }";
    }

    /**
     * A whole array: item {@code c} in C order has the raw bits {@code bits(c)} (the low itemSize bytes), written in
     * the descr's byte order and in C or Fortran order.
     */
    public static byte[] array(String descr, boolean fortran, long[] shape, IntToLongFunction bits) {
        int itemSize = Integer.parseInt(descr.substring(2));
        boolean big = descr.charAt(0) == '>';
        int count = 1;
        for (long d : shape) {
            count *= (int) d;
        }
        byte[] data = new byte[count * itemSize];
        int[] index = new int[shape.length];
        for (int position = 0; position < count; position++) {
            // position walks the file's order; c is the same item's C-order index.
            int c = 0;
            for (int d = 0; d < shape.length; d++) {
                c = c * (int) shape[d] + index[d];
            }
            long value = bits.applyAsLong(c);
            for (int b = 0; b < itemSize; b++) {
                int shift = 8 * (big ? itemSize - 1 - b : b);
                data[position * itemSize + b] = (byte) (value >>> shift);
            }
            if (fortran) {
                for (int d = 0; d < shape.length && ++index[d] >= shape[d]; d++) {
                    index[d] = 0;
                }
            } else {
                for (int d = shape.length - 1; d >= 0 && ++index[d] >= shape[d]; d--) {
                    index[d] = 0;
                }
            }
        }
        return concat(header(1, dict(descr, fortran, shape), data.length), data);
    }

    public static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** A zip written by hand so that the central directory can lie about a member's uncompressed size. */
    public static byte[] forgedZip(String name, byte[] content, long declaredSize) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        deflater.setInput(content);
        deflater.finish();
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        byte[] buffer = new byte[65536];
        while (!deflater.finished()) {
            compressed.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        CRC32 crc = new CRC32();
        crc.update(content);
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] local = {0x04034b50, 4, 20, 2, 0, 2, 8, 2, 0, 2, 0, 2};
        writeFields(out, local);
        writeLittle(out, crc.getValue(), 4);
        writeLittle(out, compressed.size(), 4);
        writeLittle(out, declaredSize, 4);
        writeLittle(out, nameBytes.length, 2);
        writeLittle(out, 0, 2);
        out.writeBytes(nameBytes);
        out.writeBytes(compressed.toByteArray());
        int centralOffset = out.size();
        writeFields(out, new int[] {0x02014b50, 4, 20, 2, 20, 2, 0, 2, 8, 2, 0, 2, 0, 2});
        writeLittle(out, crc.getValue(), 4);
        writeLittle(out, compressed.size(), 4);
        writeLittle(out, declaredSize, 4);
        writeLittle(out, nameBytes.length, 2);
        writeFields(out, new int[] {0, 2, 0, 2, 0, 2, 0, 2, 0, 4, 0, 4});
        out.writeBytes(nameBytes);
        int centralSize = out.size() - centralOffset;
        writeFields(out, new int[] {0x06054b50, 4, 0, 2, 0, 2, 1, 2, 1, 2, centralSize, 4, centralOffset, 4, 0, 2});
        return out.toByteArray();
    }

    private static void writeFields(ByteArrayOutputStream out, int[] valuesAndWidths) {
        for (int i = 0; i < valuesAndWidths.length; i += 2) {
            writeLittle(out, valuesAndWidths[i], valuesAndWidths[i + 1]);
        }
    }

    private static void writeLittle(ByteArrayOutputStream out, long value, int width) {
        for (int i = 0; i < width; i++) {
            out.write((int) (value >>> (8 * i)));
        }
    }
}
