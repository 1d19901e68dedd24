package dev.lode.engine.parquet;

import dev.lode.engine.LodeException;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Maps Arrow schemas to Parquet schemas and back, and (de)serialises the ARROW:schema footer entry. */
final class ParquetSchemas {
    static final String ARROW_SCHEMA_KEY = "ARROW:schema";
    static final String LIST_ELEMENT = "element";

    private ParquetSchemas() {
    }

    /** The Arrow schema as a base64 IPC schema message, as pyarrow writes it; metadata in key order. */
    static String serialize(Schema schema) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            MessageSerializer.serialize(new WriteChannel(Channels.newChannel(bytes)), Schemas.sorted(schema));
        } catch (IOException e) {
            throw new IllegalStateException("Serialising to memory failed", e);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    static Schema deserialize(String base64) throws IOException {
        byte[] bytes = Base64.getDecoder().decode(base64);
        Schema schema = MessageSerializer.deserializeSchema(new ReadChannel(Channels.newChannel(new ByteArrayInputStream(bytes))));
        if (schema == null) {
            throw new IOException("empty ARROW:schema");
        }
        return schema;
    }

    static MessageType toParquet(Schema schema) {
        List<Type> fields = new ArrayList<>();
        for (Field field : schema.getFields()) {
            fields.add(toParquet(field, field.getName(), field.getName()));
        }
        return new MessageType("schema", fields);
    }

    private static Type toParquet(Field field, String name, String path) {
        Type.Repetition repetition = field.isNullable() ? Type.Repetition.OPTIONAL : Type.Repetition.REQUIRED;
        return switch (field.getType()) {
            case ArrowType.Int t -> Types.primitive(t.getBitWidth() == 64 ? PrimitiveTypeName.INT64 : PrimitiveTypeName.INT32, repetition)
                    .as(LogicalTypeAnnotation.intType(t.getBitWidth(), t.getIsSigned())).named(name);
            case ArrowType.FloatingPoint t when t.getPrecision() == FloatingPointPrecision.SINGLE ->
                    Types.primitive(PrimitiveTypeName.FLOAT, repetition).named(name);
            case ArrowType.FloatingPoint t when t.getPrecision() == FloatingPointPrecision.DOUBLE ->
                    Types.primitive(PrimitiveTypeName.DOUBLE, repetition).named(name);
            case ArrowType.Bool t -> Types.primitive(PrimitiveTypeName.BOOLEAN, repetition).named(name);
            case ArrowType.Utf8 t -> Types.primitive(PrimitiveTypeName.BINARY, repetition)
                    .as(LogicalTypeAnnotation.stringType()).named(name);
            case ArrowType.Binary t -> Types.primitive(PrimitiveTypeName.BINARY, repetition).named(name);
            case ArrowType.FixedSizeBinary t -> Types.primitive(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY, repetition)
                    .length(t.getByteWidth()).named(name);
            case ArrowType.Date t when t.getUnit() == DateUnit.DAY -> Types.primitive(PrimitiveTypeName.INT32, repetition)
                    .as(LogicalTypeAnnotation.dateType()).named(name);
            // Parquet has no seconds unit; such columns are plain INT64 and ARROW:schema restores the unit.
            case ArrowType.Timestamp t when t.getUnit() == TimeUnit.SECOND ->
                    Types.primitive(PrimitiveTypeName.INT64, repetition).named(name);
            case ArrowType.Timestamp t -> Types.primitive(PrimitiveTypeName.INT64, repetition)
                    .as(LogicalTypeAnnotation.timestampType(t.getTimezone() != null, parquetUnit(t.getUnit()))).named(name);
            case ArrowType.List t -> list(field, name, path, repetition);
            case ArrowType.FixedSizeList t -> list(field, name, path, repetition);
            case ArrowType.Struct t -> {
                if (field.getChildren().isEmpty()) {
                    throw new LodeException("Field " + path + " is a struct without fields, which Parquet cannot store");
                }
                List<Type> children = new ArrayList<>();
                for (Field child : field.getChildren()) {
                    children.add(toParquet(child, child.getName(), path + "." + child.getName()));
                }
                yield new GroupType(repetition, name, children);
            }
            default -> throw Schemas.unsupported(path, field.getType());
        };
    }

    private static Type list(Field field, String name, String path, Type.Repetition repetition) {
        Field element = Schemas.onlyChild(field, path);
        Type elementType = toParquet(element, LIST_ELEMENT, path + "." + element.getName());
        return Types.buildGroup(repetition).as(LogicalTypeAnnotation.listType())
                .addField(Types.repeatedGroup().addField(elementType).named("list"))
                .named(name);
    }

    static LogicalTypeAnnotation.TimeUnit parquetUnit(TimeUnit unit) {
        return switch (unit) {
            case MILLISECOND -> LogicalTypeAnnotation.TimeUnit.MILLIS;
            case MICROSECOND -> LogicalTypeAnnotation.TimeUnit.MICROS;
            case NANOSECOND -> LogicalTypeAnnotation.TimeUnit.NANOS;
            case SECOND -> throw new IllegalArgumentException("Parquet has no seconds unit");
        };
    }

    /** The Arrow schema of a Parquet schema written without ARROW:schema. */
    static Schema toArrow(MessageType schema) {
        List<Field> fields = new ArrayList<>();
        for (Type type : schema.getFields()) {
            fields.add(toArrow(type, type.getName()));
        }
        return new Schema(fields);
    }

    private static Field toArrow(Type type, String path) {
        if (type.isRepetition(Type.Repetition.REPEATED)) {
            throw new LodeException("Parquet column " + path + " is a repeated field outside a LIST group, which is not supported");
        }
        return toArrow(type, type.getName(), type.isRepetition(Type.Repetition.OPTIONAL), path);
    }

    private static Field toArrow(Type type, String name, boolean nullable, String path) {
        LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
        if (!type.isPrimitive()) {
            GroupType group = type.asGroupType();
            if (logical instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation) {
                Type repeated = listRepeatedChild(group, path);
                Field element;
                if (isThreeLevel(group, repeated)) {
                    Type elementType = repeated.asGroupType().getType(0);
                    element = toArrow(elementType, elementType.getName(),
                            elementType.isRepetition(Type.Repetition.OPTIONAL), path + "." + elementType.getName());
                } else {
                    element = toArrow(repeated, repeated.getName(), false, path + "." + repeated.getName());
                }
                return new Field(name, new FieldType(nullable, ArrowType.List.INSTANCE, null), List.of(element));
            }
            if (logical != null) {
                throw new LodeException("Parquet column " + path + " has unsupported type " + logical);
            }
            List<Field> children = new ArrayList<>();
            for (Type child : group.getFields()) {
                children.add(toArrow(child, path + "." + child.getName()));
            }
            return new Field(name, new FieldType(nullable, ArrowType.Struct.INSTANCE, null), children);
        }
        PrimitiveType primitive = type.asPrimitiveType();
        ArrowType arrow = switch (primitive.getPrimitiveTypeName()) {
            case INT32, INT64 -> {
                boolean wide = primitive.getPrimitiveTypeName() == PrimitiveTypeName.INT64;
                yield switch (logical) {
                    case null -> new ArrowType.Int(wide ? 64 : 32, true);
                    case LogicalTypeAnnotation.IntLogicalTypeAnnotation i -> new ArrowType.Int(i.getBitWidth(), i.isSigned());
                    case LogicalTypeAnnotation.DateLogicalTypeAnnotation d when !wide -> new ArrowType.Date(DateUnit.DAY);
                    case LogicalTypeAnnotation.TimestampLogicalTypeAnnotation t when wide ->
                            new ArrowType.Timestamp(arrowUnit(t.getUnit()), t.isAdjustedToUTC() ? "UTC" : null);
                    default -> throw unsupportedParquet(path, primitive);
                };
            }
            case INT96 -> new ArrowType.Timestamp(TimeUnit.NANOSECOND, null);
            case FLOAT -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
            case DOUBLE -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
            case BOOLEAN -> ArrowType.Bool.INSTANCE;
            case BINARY -> switch (logical) {
                case null -> ArrowType.Binary.INSTANCE;
                case LogicalTypeAnnotation.StringLogicalTypeAnnotation s -> ArrowType.Utf8.INSTANCE;
                case LogicalTypeAnnotation.EnumLogicalTypeAnnotation e -> ArrowType.Utf8.INSTANCE;
                case LogicalTypeAnnotation.JsonLogicalTypeAnnotation j -> ArrowType.Utf8.INSTANCE;
                case LogicalTypeAnnotation.BsonLogicalTypeAnnotation b -> ArrowType.Binary.INSTANCE;
                default -> throw unsupportedParquet(path, primitive);
            };
            case FIXED_LEN_BYTE_ARRAY -> switch (logical) {
                case null -> new ArrowType.FixedSizeBinary(primitive.getTypeLength());
                case LogicalTypeAnnotation.UUIDLogicalTypeAnnotation u -> new ArrowType.FixedSizeBinary(16);
                default -> throw unsupportedParquet(path, primitive);
            };
        };
        return new Field(name, new FieldType(nullable, arrow, null), List.of());
    }

    private static LodeException unsupportedParquet(String path, PrimitiveType type) {
        return new LodeException("Parquet column " + path + " has unsupported type " + type);
    }

    static Type listRepeatedChild(GroupType group, String path) {
        if (group.getFieldCount() != 1 || !group.getType(0).isRepetition(Type.Repetition.REPEATED)) {
            throw new LodeException("Parquet column " + path + " is a LIST without a single repeated child: " + group);
        }
        return group.getType(0);
    }

    /** The standard three-level list, as opposed to the legacy two-level forms (Parquet's backward-compatibility rules). */
    static boolean isThreeLevel(GroupType list, Type repeated) {
        return !repeated.isPrimitive() && repeated.asGroupType().getFieldCount() == 1
                && !repeated.getName().equals("array") && !repeated.getName().equals(list.getName() + "_tuple");
    }

    static TimeUnit arrowUnit(LogicalTypeAnnotation.TimeUnit unit) {
        return switch (unit) {
            case MILLIS -> TimeUnit.MILLISECOND;
            case MICROS -> TimeUnit.MICROSECOND;
            case NANOS -> TimeUnit.NANOSECOND;
        };
    }
}
