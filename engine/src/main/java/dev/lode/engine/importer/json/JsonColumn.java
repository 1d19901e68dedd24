package dev.lode.engine.importer.json;

import dev.lode.engine.importer.ImportException;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The type inferred for one column (or struct member, or list element) from every value seen, and the writer of
 * its values into Arrow vectors. Inference is mutable and single-threaded; after {@link #field} the type is fixed.
 */
final class JsonColumn {
    static final String LIST_ELEMENT = "element";

    enum Kind {
        NONE, INT64, FLOAT64, BOOL, UTF8, STRUCT, LIST;

        boolean isScalar() {
            return this == INT64 || this == FLOAT64 || this == BOOL || this == UTF8;
        }

        String description() {
            return switch (this) {
                case NONE -> "null";
                case INT64 -> "integers";
                case FLOAT64 -> "numbers";
                case BOOL -> "booleans";
                case UTF8 -> "strings";
                case STRUCT -> "objects";
                case LIST -> "arrays";
            };
        }
    }

    private Kind kind = Kind.NONE;
    private final Map<String, JsonColumn> children = new LinkedHashMap<>();
    private JsonColumn element;
    private Path firstFile;
    private long firstLine;

    static JsonColumn root() {
        JsonColumn root = new JsonColumn();
        root.kind = Kind.STRUCT;
        return root;
    }

    Map<String, JsonColumn> children() {
        return children;
    }

    private static Kind kindOf(JsonValues.Value value) {
        return switch (value) {
            case JsonValues.ObjectValue o -> Kind.STRUCT;
            case JsonValues.ArrayValue a -> Kind.LIST;
            case JsonValues.StringValue s -> Kind.UTF8;
            case JsonValues.NumberValue n -> n.number().isIntegral() ? Kind.INT64 : Kind.FLOAT64;
            case JsonValues.BooleanValue b -> Kind.BOOL;
            case JsonValues.NullValue n -> Kind.NONE;
        };
    }

    /** Widens this type to hold {@code value}; a mix of objects, arrays and scalars is an error naming the key. */
    void observe(JsonValues.Value value, String path, Path file, long line) {
        Kind seen = kindOf(value);
        if (seen == Kind.NONE) {
            return;
        }
        if (kind == Kind.NONE) {
            kind = seen;
            firstFile = file;
            firstLine = line;
            if (seen == Kind.LIST) {
                element = new JsonColumn();
            }
        } else if (kind != seen) {
            if (kind.isScalar() && seen.isScalar()) {
                boolean numbers = (kind == Kind.INT64 || kind == Kind.FLOAT64)
                        && (seen == Kind.INT64 || seen == Kind.FLOAT64);
                kind = numbers ? Kind.FLOAT64 : Kind.UTF8;
            } else {
                throw new ImportException(file, "line " + line, "key \"" + path + "\" holds " + JsonValues.describe(value)
                        + " here but " + kind.description() + " on earlier lines; objects and arrays cannot be"
                        + " mixed with other values");
            }
        }
        switch (value) {
            case JsonValues.ObjectValue object -> {
                for (Map.Entry<String, JsonValues.Value> member : object.members().entrySet()) {
                    String childPath = path.isEmpty() ? member.getKey() : path + "." + member.getKey();
                    children.computeIfAbsent(member.getKey(), key -> new JsonColumn())
                            .observe(member.getValue(), childPath, file, line);
                }
            }
            case JsonValues.ArrayValue array -> {
                for (JsonValues.Value item : array.elements()) {
                    element.observe(item, path + "[]", file, line);
                }
            }
            default -> {
            }
        }
    }

    /**
     * The Arrow field of this column; a column of nulls only (or empty arrays only) is a string column. A key that
     * only ever holds empty objects is an error, because Parquet cannot store a struct without members.
     */
    Field field(String name, String path) {
        if (kind == Kind.NONE) {
            kind = Kind.UTF8;
        }
        return switch (kind) {
            case INT64 -> Field.nullable(name, new ArrowType.Int(64, true));
            case FLOAT64 -> Field.nullable(name, new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE));
            case BOOL -> Field.nullable(name, ArrowType.Bool.INSTANCE);
            case UTF8 -> Field.nullable(name, ArrowType.Utf8.INSTANCE);
            case STRUCT -> {
                List<Field> fields = new ArrayList<>();
                for (Map.Entry<String, JsonColumn> child : children.entrySet()) {
                    fields.add(child.getValue().field(child.getKey(), path + "." + child.getKey()));
                }
                if (fields.isEmpty()) {
                    throw new ImportException(firstFile, "line " + firstLine, "key \"" + path
                            + "\" only ever holds empty objects; a struct column needs at least one member");
                }
                yield new Field(name, FieldType.nullable(ArrowType.Struct.INSTANCE), fields);
            }
            case LIST -> new Field(name, FieldType.nullable(ArrowType.List.INSTANCE),
                    List.of(element.field(LIST_ELEMENT, path + "[]")));
            case NONE -> throw new IllegalStateException("unreachable");
        };
    }

    /**
     * Writes {@code value} at {@code index}. Pass one saw every value, so a value that does not fit means the file
     * changed in between; that throws {@link ClassCastException}, which the caller reports.
     */
    void write(FieldVector vector, int index, JsonValues.Value value) {
        if (value == null || value == JsonValues.NullValue.INSTANCE) {
            writeNull(vector, index);
            return;
        }
        switch (kind) {
            case INT64 -> ((BigIntVector) vector).setSafe(index, ((JsonValues.NumberValue) value).number().longValue());
            case FLOAT64 -> ((Float8Vector) vector).setSafe(index,
                    ((JsonValues.NumberValue) value).number().doubleValue());
            case BOOL -> ((BitVector) vector).setSafe(index, value == JsonValues.BooleanValue.TRUE ? 1 : 0);
            case UTF8 -> {
                String text = switch (value) {
                    case JsonValues.StringValue s -> s.value();
                    case JsonValues.NumberValue n -> n.text();
                    case JsonValues.BooleanValue b -> b == JsonValues.BooleanValue.TRUE ? "true" : "false";
                    default -> throw new ClassCastException(JsonValues.describe(value) + " in a string column");
                };
                ((VarCharVector) vector).setSafe(index, text.getBytes(StandardCharsets.UTF_8));
            }
            case STRUCT -> {
                StructVector struct = (StructVector) vector;
                Map<String, JsonValues.Value> members = ((JsonValues.ObjectValue) value).members();
                struct.setIndexDefined(index);
                for (Map.Entry<String, JsonColumn> child : children.entrySet()) {
                    child.getValue().write(struct.getChild(child.getKey()), index, members.get(child.getKey()));
                }
            }
            case LIST -> {
                ListVector list = (ListVector) vector;
                List<JsonValues.Value> items = ((JsonValues.ArrayValue) value).elements();
                int start = list.startNewValue(index);
                FieldVector data = list.getDataVector();
                for (int i = 0; i < items.size(); i++) {
                    element.write(data, start + i, items.get(i));
                }
                list.endValue(index, items.size());
            }
            case NONE -> throw new IllegalStateException("unreachable");
        }
    }

    private void writeNull(FieldVector vector, int index) {
        if (vector instanceof StructVector struct) {
            struct.setNull(index);
            for (Map.Entry<String, JsonColumn> child : children.entrySet()) {
                child.getValue().writeNull(struct.getChild(child.getKey()), index);
            }
        } else if (vector instanceof ListVector list) {
            list.setNull(index);
        } else if (vector instanceof BigIntVector v) {
            v.setNull(index);
        } else if (vector instanceof Float8Vector v) {
            v.setNull(index);
        } else if (vector instanceof BitVector v) {
            v.setNull(index);
        } else if (vector instanceof VarCharVector v) {
            v.setNull(index);
        } else {
            throw new IllegalStateException("unexpected vector " + vector.getClass().getName());
        }
    }
}
