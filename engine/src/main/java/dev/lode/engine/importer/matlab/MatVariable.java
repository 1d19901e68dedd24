package dev.lode.engine.importer.matlab;

import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * One MATLAB array to import: its column name ({@code struct.field} inside structs), class, dimensions in MATLAB
 * order and its elements by column-major linear index, as MATLAB stores them.
 */
record MatVariable(String name, Type type, int[] dimensions, Elements elements) {

    /** Raw elements by column-major linear index: the IEEE bits of floats, the bits of integers, 0/1, UTF-16 units. */
    @FunctionalInterface
    interface Elements {
        long bits(int index);
    }

    enum Type {
        DOUBLE(8), SINGLE(4), INT8(1), UINT8(1), INT16(2), UINT16(2), INT32(4), UINT32(4), INT64(8), UINT64(8),
        LOGICAL(1), CHAR(2);

        final int bytes;

        Type(int bytes) {
            this.bytes = bytes;
        }

        ArrowType arrowType() {
            return switch (this) {
                case DOUBLE -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
                case SINGLE -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
                case LOGICAL -> ArrowType.Bool.INSTANCE;
                case CHAR -> ArrowType.Utf8.INSTANCE;
                default -> new ArrowType.Int(bytes * 8, name().startsWith("INT"));
            };
        }

        /** The type of a MATLAB class name ("double", "uint8", "logical", "char"), or null for others. */
        static Type ofClass(String matlabClass) {
            for (Type type : values()) {
                if (type.name().equalsIgnoreCase(matlabClass)) {
                    return type;
                }
            }
            return null;
        }
    }

    /** MATLAB's way of writing a size: "3x2", "32x32x3x100". */
    static String sizeText(int[] dimensions) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < dimensions.length; i++) {
            text.append(i == 0 ? "" : "x").append(dimensions[i]);
        }
        return text.toString();
    }
}
