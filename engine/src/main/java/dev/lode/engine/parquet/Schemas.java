package dev.lode.engine.parquet;

import dev.lode.engine.LodeException;
import dev.lode.engine.json.Json;
import dev.lode.engine.json.JsonException;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Arrow schemas as canonical JSON (docs/FORMAT-schema.md), and the schema-only size estimate used to cut fragments.
 * Only the types Lode stores are accepted; anything else is a {@link LodeException} naming the field and type.
 */
public final class Schemas {
    private Schemas() {
    }

    /** Canonical JSON of an Arrow schema: equal schemas give equal JSON (metadata keys are sorted). */
    public static Json toJson(Schema schema) {
        List<Json> fields = new ArrayList<>();
        for (Field field : schema.getFields()) {
            fields.add(fieldToJson(field, field.getName()));
        }
        return Json.object()
                .put("fields", Json.array(fields))
                .put("metadata", metadataToJson(schema.getCustomMetadata()))
                .build();
    }

    /** The inverse of {@link #toJson}; unknown types and malformed JSON are a {@link LodeException}. */
    public static Schema fromJson(Json json) {
        try {
            Json.JsonObject object = json.asObject();
            List<Field> fields = new ArrayList<>();
            for (Json field : object.getArray("fields").values()) {
                fields.add(fieldFromJson(field.asObject(), ""));
            }
            return new Schema(fields, metadataFromJson(object.find("metadata").orElse(null)));
        } catch (JsonException e) {
            throw new LodeException("Invalid schema JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Estimated uncompressed bytes per row, from the schema alone: fixed-width types by width, bool 1, utf8 32,
     * binary 256, list 4 x element, fixed-size list size x element, struct the sum of its children.
     */
    public static long estimatedRowBytes(Schema schema) {
        long total = 0;
        for (Field field : schema.getFields()) {
            total += estimatedBytes(field, field.getName());
        }
        return total;
    }

    /** Whether two schemas describe the same columns, ignoring all metadata. */
    static boolean sameColumns(List<Field> left, List<Field> right) {
        if (left.size() != right.size()) {
            return false;
        }
        for (int i = 0; i < left.size(); i++) {
            Field a = left.get(i);
            Field b = right.get(i);
            if (!a.getName().equals(b.getName()) || a.isNullable() != b.isNullable()
                    || !a.getType().equals(b.getType()) || !sameColumns(a.getChildren(), b.getChildren())) {
                return false;
            }
        }
        return true;
    }

    /** A copy of the schema whose metadata maps iterate in key order, so that serialising it is deterministic. */
    static Schema sorted(Schema schema) {
        List<Field> fields = new ArrayList<>();
        for (Field field : schema.getFields()) {
            fields.add(sorted(field));
        }
        return new Schema(fields, sortedMap(schema.getCustomMetadata()));
    }

    private static Field sorted(Field field) {
        List<Field> children = new ArrayList<>();
        for (Field child : field.getChildren()) {
            children.add(sorted(child));
        }
        FieldType type = new FieldType(field.isNullable(), field.getType(), field.getDictionary(),
                sortedMap(field.getMetadata()));
        return new Field(field.getName(), type, children);
    }

    private static Map<String, String> sortedMap(Map<String, String> map) {
        if (map == null || map.isEmpty()) {
            return null;
        }
        return new LinkedHashMap<>(new TreeMap<>(map));
    }

    private static long estimatedBytes(Field field, String path) {
        return switch (field.getType()) {
            case ArrowType.Int t -> t.getBitWidth() / 8;
            case ArrowType.FloatingPoint t -> switch (t.getPrecision()) {
                case HALF -> 2;
                case SINGLE -> 4;
                case DOUBLE -> 8;
            };
            case ArrowType.Bool t -> 1;
            case ArrowType.Utf8 t -> 32;
            case ArrowType.Binary t -> 256;
            case ArrowType.Date t -> t.getUnit() == DateUnit.DAY ? 4 : 8;
            case ArrowType.Timestamp t -> 8;
            case ArrowType.FixedSizeBinary t -> t.getByteWidth();
            case ArrowType.List t -> 4 * estimatedBytes(onlyChild(field, path), path + "." + onlyChild(field, path).getName());
            case ArrowType.FixedSizeList t -> (long) t.getListSize()
                    * estimatedBytes(onlyChild(field, path), path + "." + onlyChild(field, path).getName());
            case ArrowType.Struct t -> {
                long sum = 0;
                for (Field child : field.getChildren()) {
                    sum += estimatedBytes(child, path + "." + child.getName());
                }
                yield sum;
            }
            default -> throw unsupported(path, field.getType());
        };
    }

    static LodeException unsupported(String path, ArrowType type) {
        return new LodeException("Field " + path + " has unsupported Arrow type " + type);
    }

    static Field onlyChild(Field field, String path) {
        if (field.getChildren().size() != 1) {
            throw new LodeException("Field " + path + " of type " + field.getType() + " must have exactly one child, has "
                    + field.getChildren().size());
        }
        return field.getChildren().getFirst();
    }

    private static Json fieldToJson(Field field, String path) {
        if (field.getDictionary() != null) {
            throw new LodeException("Field " + path + " is dictionary-encoded, which is not supported");
        }
        List<Json> children = new ArrayList<>();
        for (Field child : field.getChildren()) {
            children.add(fieldToJson(child, path + "." + child.getName()));
        }
        return Json.object()
                .put("name", field.getName())
                .put("nullable", field.isNullable())
                .put("type", typeToJson(field, path))
                .put("children", Json.array(children))
                .put("metadata", metadataToJson(field.getMetadata()))
                .build();
    }

    private static Json typeToJson(Field field, String path) {
        Json.JsonObject.Builder type = Json.object();
        switch (field.getType()) {
            case ArrowType.Int t -> type.put("name", "int").put("bitWidth", t.getBitWidth()).put("isSigned", t.getIsSigned());
            case ArrowType.FloatingPoint t when t.getPrecision() != FloatingPointPrecision.HALF ->
                    type.put("name", "floatingpoint").put("precision", t.getPrecision().name());
            case ArrowType.Bool t -> type.put("name", "bool");
            case ArrowType.Utf8 t -> type.put("name", "utf8");
            case ArrowType.Binary t -> type.put("name", "binary");
            case ArrowType.Date t when t.getUnit() == DateUnit.DAY -> type.put("name", "date").put("unit", "DAY");
            case ArrowType.Timestamp t -> {
                type.put("name", "timestamp").put("unit", t.getUnit().name());
                if (t.getTimezone() != null) {
                    type.put("timezone", t.getTimezone());
                }
            }
            case ArrowType.List t -> {
                onlyChild(field, path);
                type.put("name", "list");
            }
            case ArrowType.FixedSizeList t -> {
                onlyChild(field, path);
                type.put("name", "fixedsizelist").put("listSize", t.getListSize());
            }
            case ArrowType.Struct t -> type.put("name", "struct");
            case ArrowType.FixedSizeBinary t -> type.put("name", "fixedsizebinary").put("byteWidth", t.getByteWidth());
            default -> throw unsupported(path, field.getType());
        }
        return type.build();
    }

    private static Field fieldFromJson(Json.JsonObject json, String parentPath) {
        String name = json.getString("name");
        String path = parentPath.isEmpty() ? name : parentPath + "." + name;
        boolean nullable = json.typed("nullable", Json::asBoolean);
        List<Field> children = new ArrayList<>();
        for (Json child : json.find("children").map(Json::asArray).map(Json.JsonArray::values).orElse(List.of())) {
            children.add(fieldFromJson(child.asObject(), path));
        }
        ArrowType type = typeFromJson(json.getObject("type"), path);
        Field field = new Field(name, new FieldType(nullable, type, null,
                metadataFromJson(json.find("metadata").orElse(null))), children);
        if (type instanceof ArrowType.List || type instanceof ArrowType.FixedSizeList) {
            onlyChild(field, path);
        } else if (!(type instanceof ArrowType.Struct) && !children.isEmpty()) {
            throw new LodeException("Field " + path + " of type " + type + " cannot have children");
        }
        return field;
    }

    private static ArrowType typeFromJson(Json.JsonObject type, String path) {
        String name = type.getString("name");
        return switch (name) {
            case "int" -> {
                long bitWidth = type.getLong("bitWidth");
                if (bitWidth != 8 && bitWidth != 16 && bitWidth != 32 && bitWidth != 64) {
                    throw new LodeException("Field " + path + " has unsupported type int with bitWidth " + bitWidth);
                }
                yield new ArrowType.Int((int) bitWidth, type.typed("isSigned", Json::asBoolean));
            }
            case "floatingpoint" -> switch (type.getString("precision")) {
                case "SINGLE" -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
                case "DOUBLE" -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
                default -> throw new LodeException("Field " + path + " has unsupported type floatingpoint with precision "
                        + type.getString("precision"));
            };
            case "bool" -> ArrowType.Bool.INSTANCE;
            case "utf8" -> ArrowType.Utf8.INSTANCE;
            case "binary" -> ArrowType.Binary.INSTANCE;
            case "date" -> {
                if (!type.getString("unit").equals("DAY")) {
                    throw new LodeException("Field " + path + " has unsupported type date with unit " + type.getString("unit"));
                }
                yield new ArrowType.Date(DateUnit.DAY);
            }
            case "timestamp" -> {
                TimeUnit unit;
                try {
                    unit = TimeUnit.valueOf(type.getString("unit"));
                } catch (IllegalArgumentException e) {
                    throw new LodeException("Field " + path + " has unsupported type timestamp with unit "
                            + type.getString("unit"));
                }
                yield new ArrowType.Timestamp(unit, type.find("timezone").map(Json::asString).orElse(null));
            }
            case "list" -> ArrowType.List.INSTANCE;
            case "fixedsizelist" -> new ArrowType.FixedSizeList(positiveInt(type, "listSize", path));
            case "struct" -> ArrowType.Struct.INSTANCE;
            case "fixedsizebinary" -> new ArrowType.FixedSizeBinary(positiveInt(type, "byteWidth", path));
            default -> throw new LodeException("Field " + path + " has unsupported type " + name);
        };
    }

    private static int positiveInt(Json.JsonObject type, String key, String path) {
        long value = type.getLong(key);
        if (value < 1 || value > Integer.MAX_VALUE) {
            throw new LodeException("Field " + path + ": " + key + " must be a positive 32-bit integer, got " + value);
        }
        return (int) value;
    }

    private static Json metadataToJson(Map<String, String> metadata) {
        Json.JsonObject.Builder object = Json.object();
        if (metadata != null) {
            metadata.forEach(object::put);
        }
        return object.build();
    }

    private static Map<String, String> metadataFromJson(Json json) {
        if (json == null) {
            return null;
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, Json> entry : json.asObject().members().entrySet()) {
            metadata.put(entry.getKey(), entry.getValue().asString());
        }
        return metadata.isEmpty() ? null : metadata;
    }
}
