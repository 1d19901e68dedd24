package dev.lode.engine.importer.csv;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Strict UTF-8 validation: no overlong forms, no surrogates, nothing above U+10FFFF, no truncated sequences. */
final class Utf8 {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private Utf8() {
    }

    /** The index of the first byte in {@code bytes[from, to)} that starts an invalid sequence, or -1. */
    static int firstInvalid(byte[] bytes, int from, int to) {
        int i = from;
        while (i < to) {
            while (i + Long.BYTES <= to && Swar.isAscii((long) LONGS.get(bytes, i))) {
                i += Long.BYTES;
            }
            if (i == to) {
                break;
            }
            int lead = bytes[i];
            if (lead >= 0) {
                i++;
                continue;
            }
            int continuation;
            int codePoint;
            int minimum;
            if ((lead & 0xE0) == 0xC0) {
                continuation = 1;
                codePoint = lead & 0x1F;
                minimum = 0x80;
            } else if ((lead & 0xF0) == 0xE0) {
                continuation = 2;
                codePoint = lead & 0x0F;
                minimum = 0x800;
            } else if ((lead & 0xF8) == 0xF0) {
                continuation = 3;
                codePoint = lead & 0x07;
                minimum = 0x10000;
            } else {
                return i;
            }
            if (i + continuation >= to) {
                return i;
            }
            for (int k = 1; k <= continuation; k++) {
                int next = bytes[i + k];
                if ((next & 0xC0) != 0x80) {
                    return i;
                }
                codePoint = (codePoint << 6) | (next & 0x3F);
            }
            if (codePoint < minimum || codePoint > 0x10FFFF || (codePoint >= 0xD800 && codePoint <= 0xDFFF)) {
                return i;
            }
            i += continuation + 1;
        }
        return -1;
    }
}
