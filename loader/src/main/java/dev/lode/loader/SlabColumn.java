package dev.lode.loader;

import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * One column of a batch laid out in a slab, described by the Arrow {@link Field} it is delivered as (name, type,
 * nullability, metadata such as {@code arrow.fixed_shape_tensor}). Three shapes are supported:
 * <ul>
 *   <li>{@link Kind#FIXED}: a fixed-width scalar: int8..int64, uint8..uint64, float16/32/64, bool (bit-packed),
 *       date32 / date64, timestamp of any unit with or without time zone, fixed-size binary;</li>
 *   <li>{@link Kind#TENSOR}: a fixed-size list of one of those (e.g. a 3x32x32 uint8 image), items nullable or not;</li>
 *   <li>{@link Kind#BINARY} / {@link Kind#UTF8}: variable-width values with a byte budget per batch.</li>
 * </ul>
 * Any column may be nullable. Immutable; equal when the field and budget are equal.
 */
public final class SlabColumn {
    public enum Kind { FIXED, TENSOR, BINARY, UTF8 }

    /** Common fixed-width element types, for building columns by hand. */
    public enum ElementType {
        BOOL(ArrowType.Bool.INSTANCE),
        UINT8(new ArrowType.Int(8, false)),
        UINT16(new ArrowType.Int(16, false)),
        UINT32(new ArrowType.Int(32, false)),
        UINT64(new ArrowType.Int(64, false)),
        INT8(new ArrowType.Int(8, true)),
        INT16(new ArrowType.Int(16, true)),
        INT32(new ArrowType.Int(32, true)),
        INT64(new ArrowType.Int(64, true)),
        FLOAT16(new ArrowType.FloatingPoint(FloatingPointPrecision.HALF)),
        FLOAT32(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
        FLOAT64(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
        DATE32(new ArrowType.Date(DateUnit.DAY)),
        DATE64(new ArrowType.Date(DateUnit.MILLISECOND));

        private final ArrowType arrowType;

        ElementType(ArrowType arrowType) {
            this.arrowType = arrowType;
        }

        public ArrowType arrowType() {
            return arrowType;
        }
    }

    /** What {@link #of} accepts, for error messages. */
    static final String SUPPORTED = "int8/16/32/64, uint8/16/32/64, float16/32/64, bool, date, timestamp,"
            + " fixed-size binary, fixed-size lists (tensors) of those, utf8 and binary";

    private final Field field;
    private final Kind kind;
    private final int valueBits;
    private final int listSize;
    private final long dataBytes;

    private SlabColumn(Field field, Kind kind, int valueBits, int listSize, long dataBytes) {
        this.field = field;
        this.kind = kind;
        this.valueBits = valueBits;
        this.listSize = listSize;
        this.dataBytes = dataBytes;
    }

    /**
     * The slab column that delivers field, with variableDataBytes of room per batch when it is binary or utf8
     * (ignored otherwise).
     *
     * @throws IllegalArgumentException naming the column and its type when the loader cannot deliver that type
     */
    public static SlabColumn of(Field field, long variableDataBytes) {
        requireNonNull(field, "field is null");
        String name = field.getName();
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("Column name is empty");
        }
        ArrowType type = field.getType();
        if (type instanceof ArrowType.Utf8 || type instanceof ArrowType.Binary) {
            if (variableDataBytes < 0) {
                throw new IllegalArgumentException("Column " + name + ": data bytes " + variableDataBytes + " < 0");
            }
            return new SlabColumn(field, type instanceof ArrowType.Utf8 ? Kind.UTF8 : Kind.BINARY, 0, 1,
                    variableDataBytes);
        }
        if (type instanceof ArrowType.FixedSizeList list) {
            if (field.getChildren().size() != 1) {
                throw new IllegalArgumentException("Column " + name + ": a fixed-size list needs one child, has "
                        + field.getChildren().size());
            }
            Field item = field.getChildren().getFirst();
            int bits = valueBits(item.getType());
            if (bits == 0) {
                throw new IllegalArgumentException("Column " + name + " has type fixed-size list of "
                        + describe(item.getType()) + ", which the loader cannot deliver (tensor items must be "
                        + "fixed-width; supported: " + SUPPORTED + ")");
            }
            if (list.getListSize() < 1) {
                throw new IllegalArgumentException("Column " + name + ": list size " + list.getListSize() + " < 1");
            }
            return new SlabColumn(field, Kind.TENSOR, bits, list.getListSize(), 0);
        }
        int bits = valueBits(type);
        if (bits == 0) {
            throw new IllegalArgumentException("Column " + name + " has type " + describe(type)
                    + ", which the loader cannot deliver (supported: " + SUPPORTED + ")");
        }
        if (!field.getChildren().isEmpty()) {
            throw new IllegalArgumentException("Column " + name + " of type " + type + " cannot have children");
        }
        return new SlabColumn(field, Kind.FIXED, bits, 1, 0);
    }

    /** Bits per value of a fixed-width Arrow type the loader delivers; 0 when it delivers no such type. */
    static int valueBits(ArrowType type) {
        return switch (type) {
            case ArrowType.Int t -> t.getBitWidth();
            case ArrowType.FloatingPoint t -> switch (t.getPrecision()) {
                case HALF -> 16;
                case SINGLE -> 32;
                case DOUBLE -> 64;
            };
            case ArrowType.Bool t -> 1;
            case ArrowType.Date t -> t.getUnit() == DateUnit.DAY ? 32 : 64;
            case ArrowType.Timestamp t -> 64;
            case ArrowType.FixedSizeBinary t -> t.getByteWidth() > Integer.MAX_VALUE / 8 ? 0 : 8 * t.getByteWidth();
            default -> 0;
        };
    }

    private static String describe(ArrowType type) {
        return switch (type) {
            case ArrowType.List t -> "list (variable-length lists are not supported; store fixed-size lists)";
            case ArrowType.Struct t -> "struct (select its fields as separate columns when importing)";
            default -> type.toString();
        };
    }

    /** A non-nullable fixed-width column. */
    public static SlabColumn fixed(String name, ElementType element) {
        requireNonNull(element, "element is null");
        return of(new Field(name, FieldType.notNullable(element.arrowType()), null), 0);
    }

    /** A non-nullable tensor column of the given shape, stored row-major as a FixedSizeList of the element type. */
    public static SlabColumn tensor(String name, ElementType element, int... shape) {
        requireNonNull(element, "element is null");
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
        return of(new Field(name, FieldType.notNullable(new ArrowType.FixedSizeList((int) size)),
                List.of(new Field("item", FieldType.notNullable(element.arrowType()), null))), 0);
    }

    /** Non-nullable variable-width binary with room for dataBytes bytes of values per batch. */
    public static SlabColumn binary(String name, long dataBytes) {
        return of(new Field(name, FieldType.notNullable(ArrowType.Binary.INSTANCE), null), dataBytes);
    }

    /** Non-nullable variable-width UTF-8 text with room for dataBytes bytes of values per batch. */
    public static SlabColumn utf8(String name, long dataBytes) {
        return of(new Field(name, FieldType.notNullable(ArrowType.Utf8.INSTANCE), null), dataBytes);
    }

    /** This column with a nullable field (its validity bitmap is gathered rather than all set). */
    public SlabColumn withNulls() {
        FieldType type = new FieldType(true, field.getType(), field.getDictionary(), field.getMetadata());
        return new SlabColumn(new Field(field.getName(), type, field.getChildren()), kind, valueBits, listSize,
                dataBytes);
    }

    /** The Arrow field a batch delivers this column as. */
    public Field field() {
        return field;
    }

    public String name() {
        return field.getName();
    }

    public Kind kind() {
        return kind;
    }

    /** Whether rows may be null: the validity bitmap is then gathered from the source. */
    public boolean nullable() {
        return field.isNullable();
    }

    /** Whether tensor items may be null: the child validity bitmap is then gathered. False for other kinds. */
    public boolean itemsNullable() {
        return kind == Kind.TENSOR && field.getChildren().getFirst().isNullable();
    }

    /** Elements per row of a tensor (the product of its shape); 1 otherwise. */
    public int listSize() {
        return listSize;
    }

    /** The data bytes a batch may use, for binary and utf8; 0 otherwise. */
    public long dataBytes() {
        return dataBytes;
    }

    /** Bits per row of a fixed-width or tensor column: 1 for bool, 8 x bytes otherwise, times the list size. */
    public long rowBits() {
        if (kind == Kind.BINARY || kind == Kind.UTF8) {
            throw new IllegalStateException("Column " + name() + " is variable-width");
        }
        return (long) valueBits * listSize;
    }

    /** Whether rows are not whole bytes (bool, or a bool tensor whose size is no multiple of 8): gathered by bit. */
    public boolean bitPacked() {
        return rowBits() % 8 != 0;
    }

    /**
     * Bytes per row of a fixed-width or tensor column.
     *
     * @throws IllegalStateException when the column is variable-width or {@link #bitPacked()}
     */
    public long rowBytes() {
        long bits = rowBits();
        if (bits % 8 != 0) {
            throw new IllegalStateException("Column " + name() + " is bit-packed: " + bits + " bits per row");
        }
        return bits / 8;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SlabColumn column && column.field.equals(field) && column.dataBytes == dataBytes;
    }

    @Override
    public int hashCode() {
        return field.hashCode() * 31 + Long.hashCode(dataBytes);
    }

    @Override
    public String toString() {
        return "SlabColumn[" + field + (dataBytes > 0 ? ", dataBytes=" + dataBytes : "") + "]";
    }
}
