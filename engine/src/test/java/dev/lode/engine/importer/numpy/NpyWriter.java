package dev.lode.engine.importer.numpy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.IntToLongFunction;

/** Writes .npy bytes the way numpy does, for tests: header padded to 64 bytes, then raw items. */
final class NpyWriter {
    private NpyWriter() {
    }

    static byte[] header(int major, String dict, long dataBytes) {
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

    static String dict(String descr, boolean fortran, long... shape) {
        return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': "
                + NpyHeader.shapeText(shape) + ", }";
    }

    /**
     * A whole array: item {@code c} in C order has the raw bits {@code bits(c)} (the low itemSize bytes), written in
     * the descr's byte order and in C or Fortran order.
     */
    static byte[] array(String descr, boolean fortran, long[] shape, IntToLongFunction bits) {
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

    static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
