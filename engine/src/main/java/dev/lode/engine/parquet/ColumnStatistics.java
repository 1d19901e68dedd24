package dev.lode.engine.parquet;

import dev.lode.engine.json.Json;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Arrays;

/**
 * Null count, minimum and maximum of one top-level column over everything written to a fragment. Integers,
 * dates and timestamps compare as (unsigned where the type is) integers, floats by {@link Double#compare} with
 * NaN ignored (so -0.0 sorts before 0.0), strings by their UTF-8 bytes as unsigned values (Parquet's order).
 * Binary and nested columns only count nulls.
 */
final class ColumnStatistics {
    private enum Kind { SIGNED, UNSIGNED, FLOAT, DOUBLE, BOOL, STRING, DATE, NULLS_ONLY }

    private final Kind kind;
    private final int bitWidth;
    private long nulls;
    private boolean any;
    private long minLong;
    private long maxLong;
    private double minDouble;
    private double maxDouble;
    private byte[] minBytes;
    private byte[] maxBytes;

    ColumnStatistics(Field field) {
        int width = 0;
        Kind k;
        switch (field.getType()) {
            case ArrowType.Int t -> {
                k = t.getIsSigned() ? Kind.SIGNED : Kind.UNSIGNED;
                width = t.getBitWidth();
            }
            case ArrowType.Timestamp t -> {
                k = Kind.SIGNED;
                width = 64;
            }
            case ArrowType.Date t -> {
                k = Kind.DATE;
                width = 32;
            }
            case ArrowType.FloatingPoint t -> k = t.getPrecision() == FloatingPointPrecision.SINGLE ? Kind.FLOAT : Kind.DOUBLE;
            case ArrowType.Bool t -> k = Kind.BOOL;
            case ArrowType.Utf8 t -> k = Kind.STRING;
            default -> k = Kind.NULLS_ONLY;
        }
        this.kind = k;
        this.bitWidth = width;
    }

    void add(FieldVector vector, int from, int count) {
        if (kind == Kind.STRING) {
            addStrings((BaseVariableWidthVector) vector, from, count);
            return;
        }
        ArrowBuf data = kind == Kind.NULLS_ONLY ? null : vector.getDataBuffer();
        for (int i = from; i < from + count; i++) {
            if (vector.isNull(i)) {
                nulls++;
                continue;
            }
            switch (kind) {
                case SIGNED, DATE -> addLong(readSigned(data, i), false);
                case UNSIGNED -> addLong(readUnsigned(data, i), true);
                case BOOL -> addLong((data.getByte(i >>> 3) >>> (i & 7)) & 1, false);
                case FLOAT -> addDouble(Float.intBitsToFloat(data.getInt(4L * i)));
                case DOUBLE -> addDouble(Double.longBitsToDouble(data.getLong(8L * i)));
                case STRING, NULLS_ONLY -> {
                }
            }
        }
    }

    /** Compares each value where it lies in the vector; copies only a new minimum or maximum. */
    private void addStrings(BaseVariableWidthVector vector, int from, int count) {
        ArrowBuf offsets = vector.getOffsetBuffer();
        ArrowBuf data = vector.getDataBuffer();
        for (int i = from; i < from + count; i++) {
            if (vector.isNull(i)) {
                nulls++;
                continue;
            }
            int start = offsets.getInt((long) i * BaseVariableWidthVector.OFFSET_WIDTH);
            int end = offsets.getInt((long) (i + 1) * BaseVariableWidthVector.OFFSET_WIDTH);
            if (!any) {
                minBytes = copy(data, start, end);
                maxBytes = minBytes;
                any = true;
                continue;
            }
            if (compareUnsigned(data, start, end, minBytes) < 0) {
                minBytes = copy(data, start, end);
            } else if (compareUnsigned(data, start, end, maxBytes) > 0) {
                maxBytes = copy(data, start, end);
            }
        }
    }

    private static byte[] copy(ArrowBuf data, int start, int end) {
        byte[] bytes = new byte[end - start];
        data.getBytes(start, bytes, 0, bytes.length);
        return bytes;
    }

    /** Compares data[start, end) with other as unsigned bytes, like {@link Arrays#compareUnsigned(byte[], byte[])}. */
    private static int compareUnsigned(ArrowBuf data, int start, int end, byte[] other) {
        int length = Math.min(end - start, other.length);
        for (int k = 0; k < length; k++) {
            int difference = (data.getByte(start + k) & 0xFF) - (other[k] & 0xFF);
            if (difference != 0) {
                return difference;
            }
        }
        return Integer.compare(end - start, other.length);
    }

    private long readSigned(ArrowBuf data, int i) {
        return switch (bitWidth) {
            case 8 -> data.getByte(i);
            case 16 -> data.getShort(2L * i);
            case 32 -> data.getInt(4L * i);
            default -> data.getLong(8L * i);
        };
    }

    private long readUnsigned(ArrowBuf data, int i) {
        return switch (bitWidth) {
            case 8 -> data.getByte(i) & 0xFFL;
            case 16 -> data.getShort(2L * i) & 0xFFFFL;
            case 32 -> data.getInt(4L * i) & 0xFFFF_FFFFL;
            default -> data.getLong(8L * i);
        };
    }

    private void addLong(long value, boolean unsigned) {
        if (!any) {
            minLong = value;
            maxLong = value;
            any = true;
        } else if (unsigned) {
            minLong = Long.compareUnsigned(value, minLong) < 0 ? value : minLong;
            maxLong = Long.compareUnsigned(value, maxLong) > 0 ? value : maxLong;
        } else {
            minLong = Math.min(minLong, value);
            maxLong = Math.max(maxLong, value);
        }
    }

    private void addDouble(double value) {
        if (Double.isNaN(value)) {
            return;
        }
        if (!any) {
            minDouble = value;
            maxDouble = value;
            any = true;
        } else {
            minDouble = Double.compare(value, minDouble) < 0 ? value : minDouble;
            maxDouble = Double.compare(value, maxDouble) > 0 ? value : maxDouble;
        }
    }

    Json toJson() {
        Json.JsonObject.Builder object = Json.object().put("nulls", nulls);
        if (any) {
            object.put("min", value(true)).put("max", value(false));
        }
        return object.build();
    }

    private Json value(boolean min) {
        return switch (kind) {
            case SIGNED -> Json.of(min ? minLong : maxLong);
            // An unsigned 64-bit value beyond Long.MAX_VALUE is written as a decimal string (JSON integers are signed 64-bit here).
            case UNSIGNED -> {
                long value = min ? minLong : maxLong;
                yield value >= 0 ? Json.of(value) : Json.of(Long.toUnsignedString(value));
            }
            case DATE -> Json.of(LocalDate.ofEpochDay(min ? minLong : maxLong).toString());
            case BOOL -> Json.of((min ? minLong : maxLong) != 0);
            case FLOAT, DOUBLE -> Json.of(min ? minDouble : maxDouble);
            case STRING -> Json.of(new String(min ? minBytes : maxBytes, StandardCharsets.UTF_8));
            case NULLS_ONLY -> throw new IllegalStateException("no min/max for " + kind);
        };
    }
}
