package dev.lode.engine;

import dev.lode.engine.parquet.Schemas;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Where rows are cut into fragments: every fragment but the last holds exactly {@link #rowsPerFragment} rows, a
 * number that depends on the schema alone. Appending rows to a source and importing it again therefore leaves
 * every full fragment byte-identical (same rows, same writer settings), so only the last fragment and the new ones
 * are new objects. The rule is part of the format (docs/FORMAT.md, "Fragmenting"); changing it changes output.
 */
public final class Fragmenting {
    /** The version of this rule, part of the conversion-cache key. */
    public static final int VERSION = 1;
    /** Target uncompressed bytes per fragment, by the schema's estimate. */
    public static final long TARGET_BYTES = 1L << 20;
    public static final long MIN_ROWS = 256;
    public static final long MAX_ROWS = 1L << 20;
    /** Field metadata an importer may set on a binary column to give its typical value size in bytes. */
    public static final String ROW_BYTES_HINT = "lode.value_bytes";

    private Fragmenting() {
    }

    /** The largest power of two not above TARGET_BYTES / estimated row bytes, clamped to [MIN_ROWS, MAX_ROWS]. */
    public static long rowsPerFragment(Schema schema) {
        long rowBytes = Math.max(1, Schemas.estimatedRowBytes(schema));
        for (Field field : schema.getFields()) {
            String hint = field.getMetadata() == null ? null : field.getMetadata().get(ROW_BYTES_HINT);
            if (hint != null && hint.matches("[0-9]{1,12}")) {
                rowBytes += Long.parseLong(hint);
            }
        }
        long rows = Long.highestOneBit(Math.max(1, TARGET_BYTES / rowBytes));
        return Math.max(MIN_ROWS, Math.min(MAX_ROWS, rows));
    }
}
