package dev.lode.engine.parquet;

import dev.lode.engine.LodeException;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes the rows of Arrow vectors as Parquet records. The record passed to {@link #write} is a reused cursor
 * holding a row number, so writing allocates nothing per row except byte arrays for binary values.
 */
final class ArrowWriteSupport extends WriteSupport<ArrowWriteSupport.RowCursor> {

    /** The row of the bound batch to write next; one instance is reused for every row. */
    static final class RowCursor {
        int row;
    }

    private final MessageType schema;
    private final Map<String, String> extraMetadata;
    private RecordConsumer consumer;
    private List<ValueWriter> writers = List.of();

    ArrowWriteSupport(MessageType schema, Map<String, String> extraMetadata) {
        this.schema = schema;
        this.extraMetadata = Map.copyOf(extraMetadata);
    }

    @Override
    public WriteContext init(Configuration configuration) {
        return new WriteContext(schema, extraMetadata);
    }

    @Override
    public WriteContext init(ParquetConfiguration configuration) {
        return new WriteContext(schema, extraMetadata);
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
        this.consumer = recordConsumer;
    }

    /** Points the writers at the vectors of the next batch. */
    void bind(VectorSchemaRoot batch) {
        List<ValueWriter> bound = new ArrayList<>();
        List<FieldVector> vectors = batch.getFieldVectors();
        for (int i = 0; i < vectors.size(); i++) {
            FieldVector vector = vectors.get(i);
            bound.add(writer(vector.getField(), vector, vector.getField().getName(), i, vector.getField().getName()));
        }
        this.writers = bound;
    }

    @Override
    public void write(RowCursor cursor) {
        consumer.startMessage();
        for (ValueWriter writer : writers) {
            writer.writeField(consumer, cursor.row);
        }
        consumer.endMessage();
    }

    private static ValueWriter writer(Field field, FieldVector vector, String name, int index, String path) {
        ArrowBuf data = switch (field.getType()) {
            case ArrowType.List t -> null;
            case ArrowType.FixedSizeList t -> null;
            case ArrowType.Struct t -> null;
            default -> vector.getDataBuffer();
        };
        return switch (field.getType()) {
            case ArrowType.Int t -> switch (t.getBitWidth()) {
                case 8 -> t.getIsSigned()
                        ? new ValueWriter(field, vector, name, index, path, (c, i) -> c.addInteger(data.getByte(i)))
                        : new ValueWriter(field, vector, name, index, path, (c, i) -> c.addInteger(data.getByte(i) & 0xFF));
                case 16 -> t.getIsSigned()
                        ? new ValueWriter(field, vector, name, index, path, (c, i) -> c.addInteger(data.getShort(2L * i)))
                        : new ValueWriter(field, vector, name, index, path, (c, i) -> c.addInteger(data.getShort(2L * i) & 0xFFFF));
                case 32 -> new ValueWriter(field, vector, name, index, path, (c, i) -> c.addInteger(data.getInt(4L * i)));
                case 64 -> new ValueWriter(field, vector, name, index, path, (c, i) -> c.addLong(data.getLong(8L * i)));
                default -> throw Schemas.unsupported(path, t);
            };
            case ArrowType.FloatingPoint t when t.getPrecision() == FloatingPointPrecision.SINGLE ->
                    new ValueWriter(field, vector, name, index, path, (c, i) -> c.addFloat(Float.intBitsToFloat(data.getInt(4L * i))));
            case ArrowType.FloatingPoint t when t.getPrecision() == FloatingPointPrecision.DOUBLE ->
                    new ValueWriter(field, vector, name, index, path, (c, i) -> c.addDouble(Double.longBitsToDouble(data.getLong(8L * i))));
            case ArrowType.Bool t -> new ValueWriter(field, vector, name, index, path,
                    (c, i) -> c.addBoolean(((data.getByte(i >>> 3) >>> (i & 7)) & 1) != 0));
            case ArrowType.Date t -> new ValueWriter(field, vector, name, index, path, (c, i) -> c.addInteger(data.getInt(4L * i)));
            case ArrowType.Timestamp t -> new ValueWriter(field, vector, name, index, path, (c, i) -> c.addLong(data.getLong(8L * i)));
            case ArrowType.Utf8 t -> binary(field, vector, name, index, path);
            case ArrowType.Binary t -> binary(field, vector, name, index, path);
            case ArrowType.FixedSizeBinary t -> {
                FixedSizeBinaryVector fixed = (FixedSizeBinaryVector) vector;
                yield new ValueWriter(field, vector, name, index, path,
                        (c, i) -> c.addBinary(Binary.fromConstantByteArray(fixed.get(i))));
            }
            case ArrowType.Struct t -> {
                StructVector struct = (StructVector) vector;
                List<ValueWriter> children = new ArrayList<>();
                List<Field> childFields = field.getChildren();
                for (int k = 0; k < childFields.size(); k++) {
                    Field child = childFields.get(k);
                    children.add(writer(child, (FieldVector) struct.getChildByOrdinal(k), child.getName(), k,
                            path + "." + child.getName()));
                }
                yield new ValueWriter(field, vector, name, index, path, (c, i) -> {
                    c.startGroup();
                    for (ValueWriter child : children) {
                        child.writeField(c, i);
                    }
                    c.endGroup();
                });
            }
            case ArrowType.List t -> {
                ListVector list = (ListVector) vector;
                Field child = Schemas.onlyChild(field, path);
                ValueWriter element = writer(child, list.getDataVector(), ParquetSchemas.LIST_ELEMENT, 0,
                        path + "." + child.getName());
                ArrowBuf offsets = list.getOffsetBuffer();
                yield new ValueWriter(field, vector, name, index, path,
                        (c, i) -> writeList(c, element, offsets.getInt(4L * i), offsets.getInt(4L * i + 4)));
            }
            case ArrowType.FixedSizeList t -> {
                FixedSizeListVector list = (FixedSizeListVector) vector;
                Field child = Schemas.onlyChild(field, path);
                ValueWriter element = writer(child, list.getDataVector(), ParquetSchemas.LIST_ELEMENT, 0,
                        path + "." + child.getName());
                int size = t.getListSize();
                yield new ValueWriter(field, vector, name, index, path,
                        (c, i) -> writeList(c, element, i * size, i * size + size));
            }
            default -> throw Schemas.unsupported(path, field.getType());
        };
    }

    /**
     * Copies each value into one reused array: Parquet copies a reused Binary where it keeps it (dictionary entries,
     * statistics), so no array is allocated per value.
     */
    private static ValueWriter binary(Field field, FieldVector vector, String name, int index, String path) {
        BaseVariableWidthVector variable = (BaseVariableWidthVector) vector;
        ArrowBuf offsets = variable.getOffsetBuffer();
        ArrowBuf data = variable.getDataBuffer();
        byte[][] scratch = {new byte[64]};
        return new ValueWriter(field, vector, name, index, path, (c, i) -> {
            int start = offsets.getInt((long) i * BaseVariableWidthVector.OFFSET_WIDTH);
            int length = offsets.getInt((long) (i + 1) * BaseVariableWidthVector.OFFSET_WIDTH) - start;
            byte[] bytes = scratch[0];
            if (bytes.length < length) {
                bytes = new byte[Math.max(length, 2 * bytes.length)];
                scratch[0] = bytes;
            }
            data.getBytes(start, bytes, 0, length);
            c.addBinary(Binary.fromReusedByteArray(bytes, 0, length));
        });
    }

    private static void writeList(RecordConsumer c, ValueWriter element, int start, int end) {
        c.startGroup();
        if (end > start) {
            c.startField("list", 0);
            for (int j = start; j < end; j++) {
                c.startGroup();
                element.writeField(c, j);
                c.endGroup();
            }
            c.endField("list", 0);
        }
        c.endGroup();
    }

    @FunctionalInterface
    private interface ValueEmitter {
        void emit(RecordConsumer consumer, int index);
    }

    /** Writes one Arrow field of a group: nothing when the value is null, else the field and its value. */
    private static final class ValueWriter {
        private final FieldVector vector;
        private final String name;
        private final int index;
        private final String path;
        private final boolean nullable;
        private final ValueEmitter emitter;

        ValueWriter(Field field, FieldVector vector, String name, int index, String path, ValueEmitter emitter) {
            this.vector = vector;
            this.name = name;
            this.index = index;
            this.path = path;
            this.nullable = field.isNullable();
            this.emitter = emitter;
        }

        void writeField(RecordConsumer consumer, int position) {
            if (vector.isNull(position)) {
                if (!nullable) {
                    throw new LodeException("Field " + path + " is not nullable but has a null at index " + position);
                }
                return;
            }
            consumer.startField(name, index);
            emitter.emit(consumer, position);
            consumer.endField(name, index);
        }
    }
}
