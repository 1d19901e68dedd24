package dev.lode.engine.importer.numpy;

import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** The Arrow field of an array and the conversion of its raw C-order bytes into a vector. */
final class Columns {
    static final String EXTENSION_NAME = "ARROW:extension:name";
    static final String EXTENSION_METADATA = "ARROW:extension:metadata";
    static final String FIXED_SHAPE_TENSOR = "arrow.fixed_shape_tensor";

    private Columns() {
    }

    /**
     * A scalar column for a 1-D array; for (N, d1, d2, ...) a FixedSizeList of d1*d2*... items marked as the canonical
     * {@code arrow.fixed_shape_tensor} extension with metadata {@code {"shape":[d1,d2,...]}}, as pyarrow writes it.
     * Numpy has no nulls, so every field is non-nullable.
     */
    static Field field(String name, NpyHeader header) {
        Field item = new Field(header.shape().length == 1 ? name : "item",
                FieldType.notNullable(header.dtype().arrowType()), null);
        if (header.shape().length == 1) {
            return item;
        }
        StringBuilder shape = new StringBuilder("{\"shape\":[");
        long[] trailing = header.trailingShape();
        for (int i = 0; i < trailing.length; i++) {
            shape.append(i == 0 ? "" : ",").append(trailing[i]);
        }
        shape.append("]}");
        return new Field(name, new FieldType(false,
                new org.apache.arrow.vector.types.pojo.ArrowType.FixedSizeList(header.itemsPerSample()), null,
                Map.of(EXTENSION_NAME, FIXED_SHAPE_TENSOR, EXTENSION_METADATA, shape.toString())), List.of(item));
    }

    /** Fills {@code vector} with {@code samples} samples from raw C-order bytes in the array's byte order. */
    static void fill(FieldVector vector, NpyHeader header, byte[] raw, int samples) {
        FieldVector items = vector;
        if (vector instanceof FixedSizeListVector list) {
            list.setInitialCapacity(samples);
            list.allocateNew();
            setAllValid(list.getValidityBuffer(), samples);
            items = list.getDataVector();
        }
        fillItems(items, header.dtype(), raw, samples * header.itemsPerSample());
        vector.setValueCount(samples);
    }

    private static void fillItems(FieldVector vector, Dtype dtype, byte[] raw, int count) {
        int size = dtype.itemSize();
        switch (dtype.kind()) {
            case BOOL -> {
                BitVector bits = (BitVector) vector;
                bits.allocateNew(count);
                for (int i = 0; i < count; i++) {
                    bits.set(i, raw[i] != 0 ? 1 : 0);
                }
            }
            case UNICODE -> {
                VarCharVector text = (VarCharVector) vector;
                text.allocateNew(Math.max(1, (long) count * 4), count);
                StringBuilder value = new StringBuilder();
                for (int i = 0; i < count; i++) {
                    value.setLength(0);
                    int end = i * size + size;
                    while (end > i * size && codePoint(raw, end - 4, dtype.bigEndian()) == 0) {
                        end -= 4; // numpy pads U<n> with NULs; trailing NULs are not part of the value
                    }
                    for (int at = i * size; at < end; at += 4) {
                        int code = codePoint(raw, at, dtype.bigEndian());
                        if (!Character.isValidCodePoint(code) || (code >= 0xD800 && code <= 0xDFFF)) {
                            throw new IllegalArgumentException("item " + i + " holds the invalid code point 0x"
                                    + Integer.toHexString(code));
                        }
                        value.appendCodePoint(code);
                    }
                    text.setSafe(i, value.toString().getBytes(StandardCharsets.UTF_8));
                }
            }
            default -> {
                BaseFixedWidthVector fixed = (BaseFixedWidthVector) vector;
                fixed.allocateNew(count);
                if (dtype.bigEndian() && size > 1) {
                    swap(raw, (long) count * size, size);
                }
                fixed.getDataBuffer().setBytes(0, raw, 0, (long) count * size);
                setAllValid(fixed.getValidityBuffer(), count);
            }
        }
        vector.setValueCount(count);
    }

    private static int codePoint(byte[] raw, int at, boolean bigEndian) {
        return bigEndian
                ? (raw[at] & 0xFF) << 24 | (raw[at + 1] & 0xFF) << 16 | (raw[at + 2] & 0xFF) << 8 | (raw[at + 3] & 0xFF)
                : (raw[at + 3] & 0xFF) << 24 | (raw[at + 2] & 0xFF) << 16 | (raw[at + 1] & 0xFF) << 8 | (raw[at] & 0xFF);
    }

    private static void swap(byte[] raw, long length, int size) {
        for (int start = 0; start < length; start += size) {
            for (int a = start, b = start + size - 1; a < b; a++, b--) {
                byte t = raw[a];
                raw[a] = raw[b];
                raw[b] = t;
            }
        }
    }

    private static void setAllValid(org.apache.arrow.memory.ArrowBuf validity, int count) {
        int full = count / 8;
        validity.setOne(0, full);
        if (count % 8 != 0) {
            validity.setByte(full, (1 << (count % 8)) - 1);
        }
    }
}
