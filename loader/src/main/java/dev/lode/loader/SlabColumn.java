package dev.lode.loader;

import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;

import static java.util.Objects.requireNonNull;

/**
 * One column of a batch laid out in a slab: a fixed-width scalar, a fixed-size tensor of a fixed-width element
 * (an Arrow FixedSizeList, e.g. a 3x32x32 uint8 image), or variable-width binary / utf8 with a byte budget per batch.
 *
 * @param listSize  elements per row of a tensor (the product of its shape); 1 otherwise
 * @param dataBytes the data bytes a batch may use, for binary and utf8; 0 otherwise
 */
public record SlabColumn(String name, Kind kind, ElementType element, int listSize, long dataBytes) {
    public enum Kind { FIXED, TENSOR, BINARY, UTF8 }

    /** Fixed-width element types with their Arrow type. */
    public enum ElementType {
        UINT8(1, new ArrowType.Int(8, false)),
        INT8(1, new ArrowType.Int(8, true)),
        INT16(2, new ArrowType.Int(16, true)),
        INT32(4, new ArrowType.Int(32, true)),
        INT64(8, new ArrowType.Int(64, true)),
        FLOAT32(4, new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
        FLOAT64(8, new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE));

        private final int bytes;
        private final ArrowType arrowType;

        ElementType(int bytes, ArrowType arrowType) {
            this.bytes = bytes;
            this.arrowType = arrowType;
        }

        public int bytes() {
            return bytes;
        }

        public ArrowType arrowType() {
            return arrowType;
        }
    }

    public SlabColumn {
        requireNonNull(name, "name is null");
        requireNonNull(kind, "kind is null");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("Column name is empty");
        }
        boolean fixedWidth = kind == Kind.FIXED || kind == Kind.TENSOR;
        if (fixedWidth != (element != null)) {
            throw new IllegalArgumentException("Column " + name + ": " + kind + " columns "
                    + (fixedWidth ? "need" : "take no") + " element type");
        }
        if (listSize < 1 || (kind != Kind.TENSOR && listSize != 1)) {
            throw new IllegalArgumentException("Column " + name + ": list size " + listSize
                    + " (must be >= 1, and 1 unless a tensor)");
        }
        if (fixedWidth ? dataBytes != 0 : dataBytes < 0) {
            throw new IllegalArgumentException("Column " + name + ": data bytes " + dataBytes
                    + " (must be 0 for fixed-width columns, >= 0 for variable-width)");
        }
    }

    public static SlabColumn fixed(String name, ElementType element) {
        return new SlabColumn(name, Kind.FIXED, requireNonNull(element, "element is null"), 1, 0);
    }

    /** A tensor column of the given shape, stored row-major as a FixedSizeList of the element type. */
    public static SlabColumn tensor(String name, ElementType element, int... shape) {
        long size = 1;
        for (int dimension : shape) {
            if (dimension < 1) {
                throw new IllegalArgumentException("Column " + name + ": shape dimension " + dimension + " < 1");
            }
            size *= dimension;
        }
        if (shape.length == 0 || size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Column " + name + ": tensor of " + size + " elements");
        }
        return new SlabColumn(name, Kind.TENSOR, requireNonNull(element, "element is null"), (int) size, 0);
    }

    /** Variable-width binary with room for dataBytes bytes of values per batch. */
    public static SlabColumn binary(String name, long dataBytes) {
        return new SlabColumn(name, Kind.BINARY, null, 1, dataBytes);
    }

    /** Variable-width UTF-8 text with room for dataBytes bytes of values per batch. */
    public static SlabColumn utf8(String name, long dataBytes) {
        return new SlabColumn(name, Kind.UTF8, null, 1, dataBytes);
    }

    /** Bytes per row of a fixed-width or tensor column. */
    public long rowBytes() {
        if (element == null) {
            throw new IllegalStateException("Column " + name + " is variable-width");
        }
        return (long) element.bytes() * listSize;
    }
}
