package dev.lode.engine.importer.hdf5;

import io.jhdf.api.Dataset;
import io.jhdf.object.datatype.BitField;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import io.jhdf.object.datatype.StringData;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

import java.lang.reflect.Array;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One dataset of the imported group as one column: its Arrow field and the conversion of a slice of whole samples
 * (the Java arrays jhdf returns) into a vector.
 */
record Hdf5Column(String name, Dataset dataset, Kind kind, int itemBytes, long samples, long[] trailingShape,
                  int itemsPerSample, Field field) {
    static final String EXTENSION_NAME = "ARROW:extension:name";
    static final String EXTENSION_METADATA = "ARROW:extension:metadata";
    static final String FIXED_SHAPE_TENSOR = "arrow.fixed_shape_tensor";

    enum Kind { BOOL, SIGNED, UNSIGNED, FLOAT, UTF8 }

    /** The kind of an HDF5 datatype, or null when it is not supported. */
    static Kind kindOf(DataType type) {
        return switch (type) {
            case FixedPoint fixed when Arrays.asList(1, 2, 4, 8).contains(fixed.getSize()) ->
                    fixed.isSigned() ? Kind.SIGNED : Kind.UNSIGNED;
            case FloatingPoint floating when floating.getSize() == 4 || floating.getSize() == 8 -> Kind.FLOAT;
            case BitField bits when bits.getSize() == 1 -> Kind.BOOL;
            case StringData ignored -> Kind.UTF8;
            default -> null;
        };
    }

    /** A readable name of a datatype for error messages, such as "float16" or "compound". */
    static String describe(DataType type) {
        String kind = switch (type) {
            case FixedPoint fixed -> (fixed.isSigned() ? "int" : "uint") + fixed.getSize() * 8;
            case FloatingPoint floating -> "float" + floating.getSize() * 8;
            case BitField bits -> "bitfield of " + bits.getSize() + " bytes";
            default -> type.getClass().getSimpleName().replace("DataType", "").toLowerCase(java.util.Locale.ROOT);
        };
        return kind;
    }

    static ArrowType arrowType(Kind kind, int itemBytes) {
        return switch (kind) {
            case BOOL -> ArrowType.Bool.INSTANCE;
            case SIGNED -> new ArrowType.Int(itemBytes * 8, true);
            case UNSIGNED -> new ArrowType.Int(itemBytes * 8, false);
            case FLOAT -> new ArrowType.FloatingPoint(itemBytes == 4
                    ? FloatingPointPrecision.SINGLE : FloatingPointPrecision.DOUBLE);
            case UTF8 -> ArrowType.Utf8.INSTANCE;
        };
    }

    /**
     * A scalar field for a 1-D dataset; for (N, d1, d2, ...) a FixedSizeList of d1*d2*... items with the canonical
     * {@code arrow.fixed_shape_tensor} extension metadata {@code {"shape":[d1,d2,...]}}. HDF5 has no nulls, so fields
     * are non-nullable. {@code metadata} (the dataset's attributes) is added to the field's metadata.
     */
    static Field field(String name, ArrowType type, long[] trailingShape, Map<String, String> metadata) {
        Map<String, String> all = new TreeMap<>(metadata);
        if (trailingShape.length == 0) {
            return new Field(name, new FieldType(false, type, null, all.isEmpty() ? null : all), null);
        }
        StringBuilder shape = new StringBuilder("{\"shape\":[");
        long items = 1;
        for (int i = 0; i < trailingShape.length; i++) {
            shape.append(i == 0 ? "" : ",").append(trailingShape[i]);
            items *= trailingShape[i];
        }
        all.put(EXTENSION_NAME, FIXED_SHAPE_TENSOR);
        all.put(EXTENSION_METADATA, shape.append("]}").toString());
        Field item = new Field("item", FieldType.notNullable(type), null);
        return new Field(name, new FieldType(false, new ArrowType.FixedSizeList(Math.toIntExact(items)), null, all),
                List.of(item));
    }

    /** Bytes one sample takes in memory, for sizing batches. */
    long sampleBytes() {
        return (long) itemsPerSample * (kind == Kind.UTF8 ? Math.max(1, itemBytes) : itemBytes);
    }

    /** Fills {@code vector} with {@code count} samples from a jhdf slice (a Java array of the slice's shape). */
    void fill(FieldVector vector, Object slice, int count) {
        FieldVector items = vector;
        if (vector instanceof FixedSizeListVector list) {
            list.setInitialCapacity(count);
            list.allocateNew();
            for (int i = 0; i < count; i++) {
                list.setNotNull(i);
            }
            items = list.getDataVector();
        }
        int total = count * itemsPerSample;
        switch (items) {
            case BitVector bits -> bits.allocateNew(total);
            case VarCharVector text -> text.allocateNew(Math.max(1L, (long) total * Math.max(1, itemBytes)), total);
            case BaseFixedWidthVector fixed -> fixed.allocateNew(total);
            default -> throw new IllegalStateException("unexpected vector " + items.getClass());
        }
        int written = flatten(slice, items, 0);
        if (written != total) {
            throw new IllegalStateException("dataset " + name + ": a slice of " + count + " samples held " + written
                    + " items, expected " + total);
        }
        if (items instanceof BaseFixedWidthVector fixed && !(items instanceof BitVector)) {
            ArrowBuf validity = fixed.getValidityBuffer();
            validity.setOne(0, (total + 7) / 8);
        }
        items.setValueCount(total);
        vector.setValueCount(count);
    }

    /** Writes the leaves of a (possibly nested) Java array into {@code items} from {@code at}; returns the new end. */
    private int flatten(Object array, FieldVector items, int at) {
        if (array instanceof Object[] nested && nested.length > 0 && nested[0] != null && nested[0].getClass().isArray()) {
            for (Object inner : nested) {
                at = flatten(inner, items, at);
            }
            return at;
        }
        int length = Array.getLength(array);
        switch (array) {
            case boolean[] values -> {
                BitVector bits = (BitVector) items;
                for (boolean value : values) {
                    bits.set(at++, value ? 1 : 0);
                }
            }
            case float[] values -> {
                ArrowBuf data = ((BaseFixedWidthVector) items).getDataBuffer();
                for (float value : values) {
                    data.setFloat((long) at++ * 4, value);
                }
            }
            case double[] values -> {
                ArrowBuf data = ((BaseFixedWidthVector) items).getDataBuffer();
                for (double value : values) {
                    data.setDouble((long) at++ * 8, value);
                }
            }
            case String[] values -> {
                VarCharVector text = (VarCharVector) items;
                for (String value : values) {
                    text.setSafe(at++, value.getBytes(StandardCharsets.UTF_8));
                }
            }
            default -> {
                ArrowBuf data = ((BaseFixedWidthVector) items).getDataBuffer();
                for (int i = 0; i < length; i++) {
                    long value = integer(Array.get(array, i));
                    long offset = (long) at++ * itemBytes;
                    switch (itemBytes) {
                        case 1 -> data.setByte(offset, (byte) value);
                        case 2 -> data.setShort(offset, (short) value);
                        case 4 -> data.setInt(offset, (int) value);
                        default -> data.setLong(offset, value);
                    }
                }
            }
        }
        return at;
    }

    /** jhdf widens unsigned integers (uint8 to short or int, uint64 to BigInteger); the low bits are the value. */
    private static long integer(Object value) {
        return switch (value) {
            case BigInteger big -> big.longValue();
            case Number number -> number.longValue();
            default -> throw new IllegalStateException("not an integer: " + value.getClass());
        };
    }
}
