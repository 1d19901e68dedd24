package dev.lode.engine.importer.csv;

/**
 * Detects the delimiter of a file from its first lines, deterministically from the bytes: among {@code ,} tab
 * {@code ;} {@code |}, the one that splits every complete line of the sample into the same number of fields, the
 * most fields winning and ties going to the earlier candidate. Without such a candidate, the one that gives the
 * first line the most fields; a comma when nothing splits anything.
 */
final class Delimiters {
    static final byte[] CANDIDATES = {',', '\t', ';', '|'};
    private static final int SAMPLE_LINES = 50;

    private Delimiters() {
    }

    /** @param complete whether the sample is the whole file (so its last line is complete even without a newline) */
    static byte detect(byte[] sample, int length, boolean complete) {
        byte best = ',';
        int bestFields = 1;
        byte firstLineBest = ',';
        int firstLineBestFields = 1;
        for (byte candidate : CANDIDATES) {
            int[] counts = fieldCounts(sample, length, complete, candidate);
            if (counts.length == 0) {
                continue;
            }
            boolean consistent = true;
            for (int count : counts) {
                consistent &= count == counts[0];
            }
            if (consistent && counts[0] > bestFields) {
                best = candidate;
                bestFields = counts[0];
            }
            if (counts[0] > firstLineBestFields) {
                firstLineBest = candidate;
                firstLineBestFields = counts[0];
            }
        }
        return bestFields > 1 ? best : firstLineBest;
    }

    /** Whether the sample looks like delimited text: at least two lines, split the same way into two or more fields. */
    static boolean looksDelimited(byte[] sample, int length, boolean complete) {
        for (byte candidate : CANDIDATES) {
            int[] counts = fieldCounts(sample, length, complete, candidate);
            boolean consistent = counts.length >= 2 && counts[0] >= 2;
            for (int count : counts) {
                consistent &= count == counts[0];
            }
            if (consistent) {
                return true;
            }
        }
        return false;
    }

    /** Field counts of the complete records of the sample, quotes respected. */
    private static int[] fieldCounts(byte[] sample, int length, boolean complete, byte delimiter) {
        int[] counts = new int[SAMPLE_LINES];
        int records = 0;
        int fields = 1;
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < length && records < SAMPLE_LINES; i++) {
            byte b = sample[i];
            any = true;
            if (b == '"') {
                quoted = !quoted;
            } else if (!quoted && b == delimiter) {
                fields++;
            } else if (!quoted && (b == '\n' || b == '\r')) {
                if (b == '\r' && i + 1 < length && sample[i + 1] == '\n') {
                    i++;
                }
                counts[records++] = fields;
                fields = 1;
                any = false;
            }
        }
        if (complete && any && !quoted && records < SAMPLE_LINES) {
            counts[records++] = fields;
        }
        return java.util.Arrays.copyOf(counts, records);
    }
}
