package dev.lode.engine.parquet;

import dev.lode.engine.LodeException;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.VersionParser;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReaderImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * Column-at-a-time decode for the common loader schema: every column a fixed-width primitive (integers, floats, day
 * dates) or a three-level fixed-size list of one (a tensor), nullable or not. It reads each Parquet column with a
 * {@link ColumnReader} straight into the Arrow buffers, instead of assembling records row by row through converters
 * ({@link ArrowConverters}), which costs a dozen virtual calls and state changes per tensor item. The vectors it fills
 * are identical to those {@link ArrowConverters} fills (values, validity bits, zeros under nulls), and it throws the
 * same messages for a fixed-size list of the wrong length; {@link FragmentReader} uses it only when
 * {@link #of(VectorSchemaRoot, MessageType)} accepts the schema and falls back to record assembly otherwise.
 */
final class FixedWidthColumns {
    private static final PrimitiveConverter NO_CONVERTER = new PrimitiveConverter() {
    };

    private final Column[] columns;

    private FixedWidthColumns(Column[] columns) {
        this.columns = columns;
    }

    /** Whether every column of the schemas is one this class decodes: nothing is allocated to decide. */
    static boolean supports(Schema arrow, MessageType parquet) {
        List<Field> fields = arrow.getFields();
        if (fields.size() != parquet.getFieldCount()) {
            return false;
        }
        for (int i = 0; i < fields.size(); i++) {
            if (shape(fields.get(i), parquet.getType(i)) == null) {
                return false;
            }
        }
        return true;
    }

    /** A decoder over the vectors of root, whose schema {@link #supports} must accept. */
    static FixedWidthColumns of(VectorSchemaRoot root, MessageType parquet) {
        List<FieldVector> vectors = root.getFieldVectors();
        Column[] columns = new Column[vectors.size()];
        for (int i = 0; i < columns.length; i++) {
            FieldVector vector = vectors.get(i);
            Type type = parquet.getType(i);
            Shape shape = shape(vector.getField(), type);
            if (shape == null) {
                throw new IllegalArgumentException("Column " + vector.getField().getName() + " is not fixed width");
            }
            ColumnDescriptor descriptor = parquet.getColumnDescription(leafPath(type));
            columns[i] = new Column(vector.getField().getName(), vector, shape, descriptor);
        }
        return new FixedWidthColumns(columns);
    }

    private static String[] leafPath(Type type) {
        if (type.isPrimitive()) {
            return new String[] {type.getName()};
        }
        Type repeated = type.asGroupType().getType(0);
        return new String[] {type.getName(), repeated.getName(), repeated.asGroupType().getType(0).getName()};
    }

    /**
     * How a column is laid out: its Parquet physical type, Arrow value width, items per row (1 for a primitive) and
     * definition levels. Null when the column is not one this class decodes.
     */
    private record Shape(PrimitiveTypeName physical, int width, int listSize, boolean list, boolean listNullable,
                         int maxDefinition) {
    }

    private static Shape shape(Field field, Type parquet) {
        if (field.getType() instanceof ArrowType.FixedSizeList fixed) {
            if (parquet.isPrimitive() || !(parquet.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation)
                    || field.getChildren().size() != 1 || fixed.getListSize() < 1) {
                return null;
            }
            GroupType group = parquet.asGroupType();
            if (group.getFieldCount() != 1 || !group.getType(0).isRepetition(Type.Repetition.REPEATED)
                    || !ParquetSchemas.isThreeLevel(group, group.getType(0))) {
                return null;
            }
            Type element = group.getType(0).asGroupType().getType(0);
            if (!element.isPrimitive() || element.isRepetition(Type.Repetition.REPEATED)) {
                return null;
            }
            PrimitiveTypeName physical = element.asPrimitiveType().getPrimitiveTypeName();
            int width = width(field.getChildren().getFirst().getType(), physical);
            if (width == 0) {
                return null;
            }
            boolean listNullable = parquet.isRepetition(Type.Repetition.OPTIONAL);
            int repeatedDefinition = (listNullable ? 1 : 0) + 1;
            int maxDefinition = repeatedDefinition + (element.isRepetition(Type.Repetition.OPTIONAL) ? 1 : 0);
            return new Shape(physical, width, fixed.getListSize(), true, listNullable, maxDefinition);
        }
        if (!parquet.isPrimitive() || parquet.isRepetition(Type.Repetition.REPEATED)) {
            return null;
        }
        PrimitiveType primitive = parquet.asPrimitiveType();
        int width = width(field.getType(), primitive.getPrimitiveTypeName());
        if (width == 0) {
            return null;
        }
        boolean nullable = parquet.isRepetition(Type.Repetition.OPTIONAL);
        return new Shape(primitive.getPrimitiveTypeName(), width, 1, false, nullable, nullable ? 1 : 0);
    }

    /** The Arrow value width in bytes, for the pairs {@link ArrowConverters} reads without conversion; else 0. */
    private static int width(ArrowType type, PrimitiveTypeName physical) {
        return switch (type) {
            case ArrowType.Int t when physical == PrimitiveTypeName.INT32 || physical == PrimitiveTypeName.INT64 ->
                    t.getBitWidth() / 8;
            case ArrowType.FloatingPoint t when t.getPrecision() == FloatingPointPrecision.SINGLE
                    && physical == PrimitiveTypeName.FLOAT -> 4;
            case ArrowType.FloatingPoint t when t.getPrecision() == FloatingPointPrecision.DOUBLE
                    && physical == PrimitiveTypeName.DOUBLE -> 8;
            case ArrowType.Date t when t.getUnit() == DateUnit.DAY && physical == PrimitiveTypeName.INT32 -> 4;
            default -> 0;
        };
    }

    /** Opens every column of the next row group; called before {@link #read} of its rows. */
    void startRowGroup(PageReadStore pages, VersionParser.ParsedVersion writer) {
        for (Column column : columns) {
            column.start(pages, writer);
        }
    }

    /**
     * Reads the next count rows of the current row group into rows [at, at + count) of the vectors, which must have
     * room for them.
     *
     * @throws RowFailure naming the row (from at) where a column failed, with the cause
     */
    void read(int at, int count) {
        for (Column column : columns) {
            column.read(at, count);
        }
    }

    /** A failure at row {@link #row()} of the batch being read. */
    static final class RowFailure extends RuntimeException {
        private final int row;

        RowFailure(int row, RuntimeException cause) {
            super(cause.getMessage(), cause);
            this.row = row;
        }

        int row() {
            return row;
        }
    }

    private static final class Column {
        private final String path;
        private final FieldVector vector;
        private final Shape shape;
        private final ColumnDescriptor descriptor;
        private ColumnReader reader;
        private long valuesLeft;
        private MemorySegment data;
        private MemorySegment validity;
        private MemorySegment itemValidity;

        Column(String path, FieldVector vector, Shape shape, ColumnDescriptor descriptor) {
            this.path = path;
            this.vector = vector;
            this.shape = shape;
            this.descriptor = descriptor;
        }

        void start(PageReadStore pages, VersionParser.ParsedVersion writer) {
            reader = new ColumnReaderImpl(descriptor, pages.getPageReader(descriptor), NO_CONVERTER, writer);
            valuesLeft = reader.getTotalValueCount();
        }

        void read(int at, int count) {
            FieldVector values = shape.list() ? ((FixedSizeListVector) vector).getDataVector() : vector;
            data = segment(values.getDataBuffer());
            validity = segment(vector.getValidityBuffer());
            itemValidity = shape.list() ? segment(values.getValidityBuffer()) : null;
            int row = at;
            try {
                if (shape.list()) {
                    for (; row < at + count; row++) {
                        readList(row);
                    }
                } else {
                    for (; row < at + count; row++) {
                        next();
                        if (reader.getCurrentDefinitionLevel() == shape.maxDefinition()) {
                            put(row);
                            setBit(validity, row);
                        }
                        reader.consume();
                    }
                }
            } catch (RuntimeException e) {
                throw new RowFailure(row, e);
            }
        }

        private void readList(int row) {
            int size = shape.listSize();
            next();
            int definition = reader.getCurrentDefinitionLevel();
            int maxDefinition = shape.maxDefinition();
            int repeatedDefinition = shape.listNullable() ? 2 : 1;
            if (definition < repeatedDefinition) {
                if (shape.listNullable() && definition == 0) {
                    reader.consume(); // a null list: its items stay null, as ArrowConverters leaves them
                    return;
                }
                throw wrongSize(0);
            }
            setBit(validity, row);
            long first = (long) row * size;
            setBits(itemValidity, first, size);
            for (int k = 0; k < size; k++) {
                if (k > 0) {
                    if (valuesLeft == 0 || reader.getCurrentRepetitionLevel() == 0) {
                        throw wrongSize(k);
                    }
                    definition = reader.getCurrentDefinitionLevel();
                }
                if (definition == maxDefinition) {
                    put(first + k);
                } else {
                    clearBit(itemValidity, first + k);
                }
                reader.consume();
                valuesLeft--;
            }
            if (valuesLeft > 0 && reader.getCurrentRepetitionLevel() != 0) {
                int extra = 0;
                while (valuesLeft > 0 && reader.getCurrentRepetitionLevel() != 0) {
                    reader.consume();
                    valuesLeft--;
                    extra++;
                }
                throw wrongSize(size + extra);
            }
        }

        /** Checks that the current row's first value exists; a list row's items are counted in readList. */
        private void next() {
            if (valuesLeft <= 0) {
                throw new LodeException("Parquet column " + path + " ends before the row group's last row");
            }
            if (!shape.list()) {
                valuesLeft--;
            }
        }

        private LodeException wrongSize(int size) {
            return new LodeException("Column " + path + " is a fixed-size list of " + shape.listSize()
                    + " elements but a value has " + size);
        }

        private void put(long index) {
            long raw = switch (shape.physical()) {
                case INT32 -> reader.getInteger();
                case INT64 -> reader.getLong();
                case FLOAT -> Float.floatToRawIntBits(reader.getFloat());
                case DOUBLE -> Double.doubleToRawLongBits(reader.getDouble());
                default -> throw new IllegalStateException("Unexpected physical type " + shape.physical());
            };
            switch (shape.width()) {
                case 1 -> data.set(ValueLayout.JAVA_BYTE, index, (byte) raw);
                case 2 -> data.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2 * index, (short) raw);
                case 4 -> data.set(ValueLayout.JAVA_INT_UNALIGNED, 4 * index, (int) raw);
                default -> data.set(ValueLayout.JAVA_LONG_UNALIGNED, 8 * index, raw);
            }
        }

        private static MemorySegment segment(ArrowBuf buffer) {
            return MemorySegment.ofAddress(buffer.memoryAddress()).reinterpret(buffer.capacity());
        }
    }

    private static void setBit(MemorySegment bits, long index) {
        long at = index >>> 3;
        bits.set(ValueLayout.JAVA_BYTE, at, (byte) (bits.get(ValueLayout.JAVA_BYTE, at) | (1 << (index & 7))));
    }

    private static void clearBit(MemorySegment bits, long index) {
        long at = index >>> 3;
        bits.set(ValueLayout.JAVA_BYTE, at, (byte) (bits.get(ValueLayout.JAVA_BYTE, at) & ~(1 << (index & 7))));
    }

    /** Sets bits [from, from + count): single bits at the ends, whole bytes between. */
    private static void setBits(MemorySegment bits, long from, long count) {
        long end = from + count;
        long index = from;
        for (; index < end && (index & 7) != 0; index++) {
            setBit(bits, index);
        }
        long wholeBytes = (end - index) >>> 3;
        if (wholeBytes > 0) {
            bits.asSlice(index >>> 3, wholeBytes).fill((byte) -1);
            index += wholeBytes << 3;
        }
        for (; index < end; index++) {
            setBit(bits, index);
        }
    }
}
