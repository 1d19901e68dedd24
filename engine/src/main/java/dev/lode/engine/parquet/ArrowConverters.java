package dev.lode.engine.parquet;

import dev.lode.engine.LodeException;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Parquet record assembly straight into Arrow vectors. Every node appends to its own vector at its own position
 * ({@code count}); a group that ends without a value for a child appends a null to that child, so all vectors of a
 * struct stay aligned and a list's offsets are its element node's position.
 */
final class ArrowConverters {
    private ArrowConverters() {
    }

    /** Assembles records into the vectors of {@code root}; {@link #rows()} counts rows since the last reset. */
    static final class Root extends RecordMaterializer<Object> {
        private final Node[] nodes;
        private final GroupConverter converter;
        private int rows;

        Root(VectorSchemaRoot root, MessageType parquetSchema) {
            List<FieldVector> vectors = root.getFieldVectors();
            if (vectors.size() != parquetSchema.getFieldCount()) {
                throw new LodeException("The Arrow schema has " + vectors.size() + " columns but the Parquet schema has "
                        + parquetSchema.getFieldCount());
            }
            nodes = new Node[vectors.size()];
            for (int i = 0; i < nodes.length; i++) {
                FieldVector vector = vectors.get(i);
                nodes[i] = node(vector, parquetSchema.getType(i), vector.getField().getName());
            }
            Node[] children = nodes;
            converter = new GroupConverter() {
                @Override
                public Converter getConverter(int fieldIndex) {
                    return children[fieldIndex].converter;
                }

                @Override
                public void start() {
                    for (Node child : children) {
                        child.written = false;
                    }
                }

                @Override
                public void end() {
                    fillMissing(children);
                    rows++;
                }
            };
        }

        int rows() {
            return rows;
        }

        /** Forgets the rows assembled so far; the caller resets the vectors. */
        void reset() {
            rows = 0;
            for (Node node : nodes) {
                node.reset();
            }
        }

        @Override
        public Object getCurrentRecord() {
            return null;
        }

        @Override
        public GroupConverter getRootConverter() {
            return converter;
        }
    }

    private abstract static class Node {
        final String path;
        int count;
        boolean written;
        Converter converter;

        Node(String path) {
            this.path = path;
        }

        abstract void appendNull();

        void reset() {
            count = 0;
        }
    }

    private static void fillMissing(Node[] children) {
        for (Node child : children) {
            if (!child.written) {
                child.appendNull();
            }
        }
    }

    private static LodeException mismatch(String path, Type parquet, Field arrow) {
        return new LodeException("Parquet column " + path + " of type " + parquet
                + " cannot be read as Arrow type " + arrow.getType());
    }

    private static Node node(FieldVector vector, Type parquet, String path) {
        Field field = vector.getField();
        ArrowType type = field.getType();
        if (type instanceof ArrowType.Struct) {
            if (parquet.isPrimitive() || parquet.getLogicalTypeAnnotation() != null
                    || parquet.asGroupType().getFieldCount() != field.getChildren().size()) {
                throw mismatch(path, parquet, field);
            }
            return new StructNode((StructVector) vector, parquet.asGroupType(), path);
        }
        if (type instanceof ArrowType.List || type instanceof ArrowType.FixedSizeList) {
            if (parquet.isPrimitive() || parquet.asGroupType().getFieldCount() != 1
                    || !parquet.asGroupType().getType(0).isRepetition(Type.Repetition.REPEATED)) {
                throw mismatch(path, parquet, field);
            }
            return new ListNode(vector, parquet.asGroupType(), path);
        }
        if (!parquet.isPrimitive()) {
            throw mismatch(path, parquet, field);
        }
        PrimitiveType primitive = parquet.asPrimitiveType();
        PrimitiveTypeName physical = primitive.getPrimitiveTypeName();
        return switch (type) {
            case ArrowType.Int t when physical == PrimitiveTypeName.INT32 || physical == PrimitiveTypeName.INT64 ->
                    new FixedWidthNode((BaseFixedWidthVector) vector, t.getBitWidth() / 8, 1, 1, path);
            case ArrowType.FloatingPoint t when t.getPrecision() == FloatingPointPrecision.SINGLE && physical == PrimitiveTypeName.FLOAT ->
                    new FixedWidthNode((BaseFixedWidthVector) vector, 4, 1, 1, path);
            case ArrowType.FloatingPoint t when t.getPrecision() == FloatingPointPrecision.DOUBLE && physical == PrimitiveTypeName.DOUBLE ->
                    new FixedWidthNode((BaseFixedWidthVector) vector, 8, 1, 1, path);
            case ArrowType.Date t when t.getUnit() == DateUnit.DAY && physical == PrimitiveTypeName.INT32 ->
                    new FixedWidthNode((BaseFixedWidthVector) vector, 4, 1, 1, path);
            case ArrowType.Timestamp t when physical == PrimitiveTypeName.INT64 || physical == PrimitiveTypeName.INT96 -> {
                long arrowPerSecond = perSecond(t.getUnit());
                long parquetPerSecond = switch (primitive.getLogicalTypeAnnotation()) {
                    case LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts -> perSecond(ParquetSchemas.arrowUnit(ts.getUnit()));
                    case null -> physical == PrimitiveTypeName.INT96 ? perSecond(TimeUnit.NANOSECOND) : arrowPerSecond;
                    default -> throw mismatch(path, parquet, field);
                };
                yield arrowPerSecond >= parquetPerSecond
                        ? new FixedWidthNode((BaseFixedWidthVector) vector, 8, arrowPerSecond / parquetPerSecond, 1, path)
                        : new FixedWidthNode((BaseFixedWidthVector) vector, 8, 1, parquetPerSecond / arrowPerSecond, path);
            }
            case ArrowType.Bool t when physical == PrimitiveTypeName.BOOLEAN -> new BitNode((BitVector) vector, path);
            case ArrowType.Utf8 t when physical == PrimitiveTypeName.BINARY -> new VariableWidthNode((BaseVariableWidthVector) vector, path);
            case ArrowType.Binary t when physical == PrimitiveTypeName.BINARY -> new VariableWidthNode((BaseVariableWidthVector) vector, path);
            case ArrowType.FixedSizeBinary t when physical == PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY
                    && primitive.getTypeLength() == t.getByteWidth() -> new FixedSizeBinaryNode((FixedSizeBinaryVector) vector, path);
            default -> throw mismatch(path, parquet, field);
        };
    }

    private static long perSecond(TimeUnit unit) {
        return switch (unit) {
            case SECOND -> 1;
            case MILLISECOND -> 1_000;
            case MICROSECOND -> 1_000_000;
            case NANOSECOND -> 1_000_000_000;
        };
    }

    /** Integers, floats (raw bits), dates and timestamps (scaled from the Parquet unit to the Arrow unit). */
    private static final class FixedWidthNode extends Node {
        private static final long JULIAN_DAY_OF_EPOCH = 2_440_588;
        private static final long NANOS_PER_DAY = 86_400_000_000_000L;

        private final BaseFixedWidthVector vector;
        private final int width;
        private final long multiply;
        private final long divide;

        FixedWidthNode(BaseFixedWidthVector vector, int width, long multiply, long divide, String path) {
            super(path);
            this.vector = vector;
            this.width = width;
            this.multiply = multiply;
            this.divide = divide;
            this.converter = new PrimitiveConverter() {
                @Override
                public void addInt(int value) {
                    put(value);
                }

                @Override
                public void addLong(long value) {
                    put(multiply == 1 && divide == 1 ? value : Math.floorDiv(Math.multiplyExact(value, multiply), divide));
                }

                @Override
                public void addFloat(float value) {
                    put(Float.floatToRawIntBits(value));
                }

                @Override
                public void addDouble(double value) {
                    put(Double.doubleToRawLongBits(value));
                }

                @Override
                public void addBinary(Binary value) {
                    // INT96 timestamps (Impala, older Spark): nanoseconds of the day, then the Julian day, little-endian.
                    if (value.length() != 12) {
                        throw new LodeException("Parquet column " + FixedWidthNode.this.path + ": INT96 value of "
                                + value.length() + " bytes");
                    }
                    ByteBuffer bytes = value.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                    long nanosOfDay = bytes.getLong(bytes.position());
                    long julianDay = bytes.getInt(bytes.position() + 8);
                    addLong((julianDay - JULIAN_DAY_OF_EPOCH) * NANOS_PER_DAY + nanosOfDay);
                }
            };
        }

        private void ensureCapacity() {
            while (count >= vector.getValueCapacity()) {
                vector.reAlloc();
            }
        }

        void put(long raw) {
            ensureCapacity();
            ArrowBuf data = vector.getDataBuffer();
            switch (width) {
                case 1 -> data.setByte(count, (byte) raw);
                case 2 -> data.setShort(2L * count, (short) raw);
                case 4 -> data.setInt(4L * count, (int) raw);
                default -> data.setLong(8L * count, raw);
            }
            BitVectorHelper.setBit(vector.getValidityBuffer(), count);
            count++;
            written = true;
        }

        @Override
        void appendNull() {
            ensureCapacity();
            BitVectorHelper.unsetBit(vector.getValidityBuffer(), count);
            count++;
        }
    }

    private static final class BitNode extends Node {
        private final BitVector vector;

        BitNode(BitVector vector, String path) {
            super(path);
            this.vector = vector;
            this.converter = new PrimitiveConverter() {
                @Override
                public void addBoolean(boolean value) {
                    vector.setSafe(count++, value ? 1 : 0);
                    written = true;
                }
            };
        }

        @Override
        void appendNull() {
            vector.setNull(count++);
        }
    }

    private static final class VariableWidthNode extends Node {
        private final BaseVariableWidthVector vector;

        VariableWidthNode(BaseVariableWidthVector vector, String path) {
            super(path);
            this.vector = vector;
            this.converter = new PrimitiveConverter() {
                @Override
                public void addBinary(Binary value) {
                    ByteBuffer bytes = value.toByteBuffer();
                    vector.setSafe(count++, bytes, bytes.position(), bytes.remaining());
                    written = true;
                }
            };
        }

        @Override
        void appendNull() {
            vector.setNull(count++);
        }
    }

    private static final class FixedSizeBinaryNode extends Node {
        private final FixedSizeBinaryVector vector;

        FixedSizeBinaryNode(FixedSizeBinaryVector vector, String path) {
            super(path);
            this.vector = vector;
            this.converter = new PrimitiveConverter() {
                @Override
                public void addBinary(Binary value) {
                    if (value.length() != vector.getByteWidth()) {
                        throw new LodeException("Parquet column " + FixedSizeBinaryNode.this.path + ": value of "
                                + value.length() + " bytes, expected " + vector.getByteWidth());
                    }
                    vector.setSafe(count++, value.getBytesUnsafe());
                    written = true;
                }
            };
        }

        @Override
        void appendNull() {
            vector.setNull(count++);
        }
    }

    private static final class StructNode extends Node {
        private final StructVector vector;
        private final Node[] children;

        StructNode(StructVector vector, GroupType parquet, String path) {
            super(path);
            this.vector = vector;
            List<Field> fields = vector.getField().getChildren();
            children = new Node[fields.size()];
            for (int i = 0; i < children.length; i++) {
                children[i] = node((FieldVector) vector.getChildByOrdinal(i), parquet.getType(i),
                        path + "." + fields.get(i).getName());
            }
            this.converter = new GroupConverter() {
                @Override
                public Converter getConverter(int fieldIndex) {
                    return children[fieldIndex].converter;
                }

                @Override
                public void start() {
                    vector.setIndexDefined(count);
                    for (Node child : children) {
                        child.written = false;
                    }
                }

                @Override
                public void end() {
                    fillMissing(children);
                    count++;
                    written = true;
                }
            };
        }

        @Override
        void appendNull() {
            vector.setNull(count++);
            for (Node child : children) {
                child.appendNull();
            }
        }

        @Override
        void reset() {
            super.reset();
            for (Node child : children) {
                child.reset();
            }
        }
    }

    /** A LIST group read into a ListVector or (with a fixed element count per value) a FixedSizeListVector. */
    private static final class ListNode extends Node {
        private final ListVector list;
        private final FixedSizeListVector fixed;
        private final Node element;
        private int elementStart;

        ListNode(FieldVector vector, GroupType parquet, String path) {
            super(path);
            this.list = vector instanceof ListVector l ? l : null;
            this.fixed = vector instanceof FixedSizeListVector f ? f : null;
            FieldVector elementVector = list != null ? list.getDataVector() : fixed.getDataVector();
            Type repeated = parquet.getType(0);
            String elementPath = path + "." + vector.getField().getChildren().getFirst().getName();
            Converter repeatedConverter;
            if (ParquetSchemas.isThreeLevel(parquet, repeated)) {
                element = node(elementVector, repeated.asGroupType().getType(0), elementPath);
                repeatedConverter = new GroupConverter() {
                    @Override
                    public Converter getConverter(int fieldIndex) {
                        return element.converter;
                    }

                    @Override
                    public void start() {
                        element.written = false;
                    }

                    @Override
                    public void end() {
                        if (!element.written) {
                            element.appendNull();
                        }
                    }
                };
            } else {
                // Legacy two-level list: the repeated field is the element itself and is never null.
                element = node(elementVector, repeated, elementPath);
                repeatedConverter = element.converter;
            }
            this.converter = new GroupConverter() {
                @Override
                public Converter getConverter(int fieldIndex) {
                    return repeatedConverter;
                }

                @Override
                public void start() {
                    elementStart = element.count;
                    if (list != null) {
                        list.startNewValue(count);
                    } else {
                        fixed.startNewValue(count);
                    }
                }

                @Override
                public void end() {
                    int size = element.count - elementStart;
                    if (list != null) {
                        list.endValue(count, size);
                    } else if (size != fixed.getListSize()) {
                        throw new LodeException("Column " + ListNode.this.path + " is a fixed-size list of "
                                + fixed.getListSize() + " elements but a value has " + size);
                    }
                    count++;
                    written = true;
                }
            };
        }

        @Override
        void appendNull() {
            if (list != null) {
                list.setNull(count++);
            } else {
                fixed.setNull(count++);
                for (int i = 0; i < fixed.getListSize(); i++) {
                    element.appendNull();
                }
            }
        }

        @Override
        void reset() {
            super.reset();
            element.reset();
        }
    }
}
