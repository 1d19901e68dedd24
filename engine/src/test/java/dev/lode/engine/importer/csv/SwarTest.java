package dev.lode.engine.importer.csv;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The word-at-a-time tests agree with a byte-by-byte look on every word tried. */
class SwarTest {

    @Test
    void agreesWithBytewiseTests() {
        long seed = System.nanoTime();
        System.out.println("SwarTest seed=" + seed);
        SplittableRandom random = new SplittableRandom(seed);
        byte[] interesting = {0, 1, '\n', '\r', '"', '#', '!', 0x7F, (byte) 0x80, (byte) 0xFF, ',', 'a', 0x0B, (byte) 0xA2};
        for (int i = 0; i < 2_000_000; i++) {
            long word = 0;
            for (int k = 0; k < 8; k++) {
                byte b = random.nextInt(3) == 0 ? (byte) random.nextInt(256) : interesting[random.nextInt(interesting.length)];
                word |= (b & 0xFFL) << (8 * k);
            }
            boolean special = false;
            boolean zero = false;
            boolean ascii = true;
            for (int k = 0; k < 8; k++) {
                int b = (int) (word >>> (8 * k)) & 0xFF;
                special |= b == '"' || b == '\n' || b == '\r';
                zero |= b == 0;
                ascii &= b < 0x80;
            }
            String shown = "word " + Long.toHexString(word) + ", seed " + seed;
            assertEquals(special, Swar.hasQuoteOrLineEnd(word), shown);
            assertEquals(zero, Swar.hasZeroByte(word), shown);
            assertEquals(ascii, Swar.isAscii(word), shown);
        }
    }
}
