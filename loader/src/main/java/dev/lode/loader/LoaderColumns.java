package dev.lode.loader;

import dev.lode.engine.LodeException;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Which dataset columns a loader can deliver, and how each lies in a slab. */
final class LoaderColumns {
    private LoaderColumns() {
    }

    /**
     * The slab columns for the requested names (all columns, in schema order, when names is empty), each with
     * variableBytesPerBatch of room when it is binary or utf8.
     *
     * @throws LodeException naming the column that does not exist or whose type the loader cannot deliver
     */
    static List<SlabColumn> select(Schema schema, List<String> names, long variableBytesPerBatch) {
        Map<String, Field> byName = new LinkedHashMap<>();
        for (Field field : schema.getFields()) {
            byName.put(field.getName(), field);
        }
        List<String> wanted = names.isEmpty() ? List.copyOf(byName.keySet()) : names;
        List<SlabColumn> columns = new ArrayList<>();
        for (String name : wanted) {
            Field field = byName.get(name);
            if (field == null) {
                throw new LodeException("Cannot load column '" + name + "': the dataset has columns "
                        + byName.keySet());
            }
            columns.add(column(field, variableBytesPerBatch));
        }
        return List.copyOf(columns);
    }

    private static SlabColumn column(Field field, long variableBytesPerBatch) {
        String name = field.getName();
        ArrowType type = field.getType();
        if (type instanceof ArrowType.FixedSizeList list) {
            Field item = field.getChildren().getFirst();
            SlabColumn.ElementType element = element(item.getType());
            if (element == null) {
                throw unsupported(name, "a fixed-size list of " + item.getType()
                        + " (tensor items must be int8/16/32/64, uint8, float32 or float64)");
            }
            return SlabColumn.tensor(name, element, list.getListSize());
        }
        if (type instanceof ArrowType.Utf8) {
            return SlabColumn.utf8(name, variableBytesPerBatch);
        }
        if (type instanceof ArrowType.Binary) {
            return SlabColumn.binary(name, variableBytesPerBatch);
        }
        if (type instanceof ArrowType.Bool) {
            throw unsupported(name, "bool (Arrow packs booleans into bits, which a row gather cannot address;"
                    + " store them as uint8 or int8)");
        }
        SlabColumn.ElementType element = element(type);
        if (element == null) {
            throw unsupported(name, type + " (supported: int8/16/32/64, uint8, float32, float64, fixed-size lists"
                    + " of those, utf8 and binary)");
        }
        return SlabColumn.fixed(name, element);
    }

    private static LodeException unsupported(String name, String why) {
        return new LodeException("Cannot load column '" + name + "': its type is " + why);
    }

    /** The slab element type of a fixed-width Arrow type, or null when there is none. */
    static SlabColumn.ElementType element(ArrowType type) {
        if (type instanceof ArrowType.Int integer) {
            return switch (integer.getBitWidth() * (integer.getIsSigned() ? 1 : -1)) {
                case -8 -> SlabColumn.ElementType.UINT8;
                case 8 -> SlabColumn.ElementType.INT8;
                case 16 -> SlabColumn.ElementType.INT16;
                case 32 -> SlabColumn.ElementType.INT32;
                case 64 -> SlabColumn.ElementType.INT64;
                default -> null;
            };
        }
        if (type instanceof ArrowType.FloatingPoint floating) {
            if (floating.getPrecision() == FloatingPointPrecision.SINGLE) {
                return SlabColumn.ElementType.FLOAT32;
            }
            if (floating.getPrecision() == FloatingPointPrecision.DOUBLE) {
                return SlabColumn.ElementType.FLOAT64;
            }
        }
        return null;
    }
}
