package dev.lode.engine.importer.numpy;

import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * A supported numpy dtype, parsed from its descr such as {@code <f4}. {@code =} (native order) is read as
 * little-endian, the order of every platform numpy writes from in practice; {@code |} means "no order" and is only
 * meaningful for one-byte items and byte strings.
 */
record Dtype(Kind kind, int itemSize, boolean bigEndian) {

    enum Kind { BOOL, INT, UINT, FLOAT, BYTES, UNICODE }

    /** Parses a descr string; returns null if it is not one this importer supports. */
    static Dtype parse(String descr) {
        if (descr.length() < 3 || "<>|=".indexOf(descr.charAt(0)) < 0) {
            return null;
        }
        boolean big = descr.charAt(0) == '>';
        char kind = descr.charAt(1);
        String digits = descr.substring(2);
        if (digits.length() > 9 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        int size = Integer.parseInt(digits);
        return switch (kind) {
            case 'b' -> size == 1 ? new Dtype(Kind.BOOL, 1, false) : null;
            case 'i' -> size == 1 || size == 2 || size == 4 || size == 8 ? new Dtype(Kind.INT, size, big) : null;
            case 'u' -> size == 1 || size == 2 || size == 4 || size == 8 ? new Dtype(Kind.UINT, size, big) : null;
            case 'f' -> size == 4 || size == 8 ? new Dtype(Kind.FLOAT, size, big) : null;
            case 'S' -> size >= 1 ? new Dtype(Kind.BYTES, size, false) : null;
            case 'U' -> size >= 1 && size <= Integer.MAX_VALUE / 4 ? new Dtype(Kind.UNICODE, 4 * size, big) : null;
            default -> null;
        };
    }

    /** Whether two dtypes hold the same values, whatever their byte order. */
    boolean sameValues(Dtype other) {
        return kind == other.kind && itemSize == other.itemSize;
    }

    ArrowType arrowType() {
        return switch (kind) {
            case BOOL -> ArrowType.Bool.INSTANCE;
            case INT -> new ArrowType.Int(8 * itemSize, true);
            case UINT -> new ArrowType.Int(8 * itemSize, false);
            case FLOAT -> new ArrowType.FloatingPoint(itemSize == 4 ? FloatingPointPrecision.SINGLE
                    : FloatingPointPrecision.DOUBLE);
            case BYTES -> new ArrowType.FixedSizeBinary(itemSize);
            case UNICODE -> ArrowType.Utf8.INSTANCE;
        };
    }

    /** A descr for messages, such as {@code <f4}. */
    String descr() {
        char order = itemSize == 1 || kind == Kind.BYTES ? '|' : bigEndian ? '>' : '<';
        char code = switch (kind) {
            case BOOL -> 'b';
            case INT -> 'i';
            case UINT -> 'u';
            case FLOAT -> 'f';
            case BYTES -> 'S';
            case UNICODE -> 'U';
        };
        return "" + order + code + (kind == Kind.UNICODE ? itemSize / 4 : itemSize);
    }
}
