package dev.lode.engine.importer.csv;

/**
 * Tests on eight bytes at once, packed little-endian in a long ("SIMD within a register"): whether any byte is a
 * quote or a line end, or is not ASCII. Exact, no false positives or negatives, so callers only use them to skip
 * ahead over words that need no byte-by-byte look.
 */
final class Swar {
    private static final long ONES = 0x0101_0101_0101_0101L;
    private static final long HIGHS = 0x8080_8080_8080_8080L;
    private static final long LOWS = 0x7F7F_7F7F_7F7F_7F7FL;
    private static final long QUOTES = ONES * '"';
    private static final long LINE_FEEDS = ONES * '\n';
    private static final long CARRIAGE_RETURNS = ONES * '\r';

    private Swar() {
    }

    /**
     * Whether some byte of the word is zero. Exact: adding 0x7F to a byte's low seven bits sets its high bit unless
     * they are all zero, and cannot carry into the next byte.
     */
    static boolean hasZeroByte(long word) {
        long lows = (word & LOWS) + LOWS;
        return ~(lows | word | LOWS) != 0;
    }

    static boolean hasQuoteOrLineEnd(long word) {
        return hasZeroByte(word ^ QUOTES) || hasZeroByte(word ^ LINE_FEEDS) || hasZeroByte(word ^ CARRIAGE_RETURNS);
    }

    static boolean isAscii(long word) {
        return (word & HIGHS) == 0;
    }
}
