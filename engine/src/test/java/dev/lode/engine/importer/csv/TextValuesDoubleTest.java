package dev.lode.engine.importer.csv;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link TextValues#parseDouble} must give exactly the bits {@link Double#parseDouble} gives, on every path. */
class TextValuesDoubleTest {

    private static void check(TextValues values, String text, long seed) {
        byte[] bytes = ("," + text + ",").getBytes(StandardCharsets.US_ASCII);
        assertTrue(values.parseDouble(bytes, 1, bytes.length - 1), text + " (seed " + seed + ")");
        assertEquals(Double.doubleToRawLongBits(Double.parseDouble(text)), Double.doubleToRawLongBits(values.doubleValue),
                text + " (seed " + seed + ")");
    }

    @Test
    void randomDoublesReadBackBitForBit() {
        long seed = System.nanoTime();
        System.out.println("randomDoublesReadBackBitForBit seed=" + seed);
        SplittableRandom random = new SplittableRandom(seed);
        TextValues values = new TextValues();
        for (int i = 0; i < 200_000; i++) {
            double value = Double.longBitsToDouble(random.nextLong());
            if (Double.isFinite(value)) {
                check(values, Double.toString(value), seed);
            }
            check(values, Double.toString(random.nextDouble()), seed);
            check(values, Double.toString(random.nextDouble() * Math.pow(10, random.nextInt(-30, 30))), seed);
        }
    }

    @Test
    void randomDigitStringsRoundLikeTheJdk() {
        long seed = System.nanoTime();
        System.out.println("randomDigitStringsRoundLikeTheJdk seed=" + seed);
        SplittableRandom random = new SplittableRandom(seed);
        TextValues values = new TextValues();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 300_000; i++) {
            text.setLength(0);
            if (random.nextInt(4) == 0) {
                text.append('-');
            }
            int digits = 1 + random.nextInt(30);
            int dot = random.nextInt(digits + 1);
            for (int d = 0; d < digits; d++) {
                if (d == dot) {
                    text.append('.');
                }
                // Runs of 9s and 0s reach the halfway and carry cases.
                int kind = random.nextInt(8);
                text.append(kind == 0 ? '9' : kind == 1 ? '0' : (char) ('0' + random.nextInt(10)));
            }
            if (random.nextBoolean()) {
                text.append('e').append(random.nextInt(-345, 330));
            }
            check(values, text.toString(), seed);
        }
    }

    @Test
    void halfwayAndBoundaryCases() {
        TextValues values = new TextValues();
        for (String text : new String[]{"9007199254740993", "9007199254740992.5", "2.2250738585072011e-308",
                "2.2250738585072014e-308", "4.9e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
                "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308", "1e400", "1e-400",
                "0.1000000000000000055511151231257827", "123456789012345678901234567890", "0.30000000000000004",
                "7.2057594037927933e16", "1e23", "8.41e21", "5e-324", "-0.0", "00000000000000000000001.5"}) {
            check(values, text, 0);
        }
    }
}
