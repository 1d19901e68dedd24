package dev.lode.engine.importer.matlab;

import dev.lode.engine.importer.ImportException;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A variable cut into samples along its sample axis (see {@link MatImporter}): sample s, item p (items in C order
 * over the per-sample shape) is element {@code s * sampleStride + itemOffsets[p]} of the column-major data.
 * For a char array the items of a sample are the characters of its string.
 */
record MatColumn(MatVariable variable, int samples, int[] sampleShape, int sampleStride, int[] itemOffsets,
                 Field field) {

    static MatColumn of(Path file, MatVariable variable, SampleAxis axis) {
        int[] dimensions = variable.dimensions();
        String where = "variable " + variable.name();
        if (Arrays.stream(dimensions).anyMatch(d -> d == 0)) {
            throw new ImportException(file, where, "the array is empty (size "
                    + MatVariable.sizeText(dimensions) + ")");
        }
        boolean character = variable.type() == MatVariable.Type.CHAR;
        if (character && dimensions.length != 2) {
            throw new ImportException(file, where, "char arrays of more than 2 dimensions are not supported (size "
                    + MatVariable.sizeText(dimensions) + ")");
        }
        if (!character && dimensions.length == 2 && (dimensions[0] == 1 || dimensions[1] == 1)) {
            // a 1xN or Nx1 vector (or a scalar) is N samples of scalars, whatever the sample axis
            int samples = dimensions[0] * dimensions[1];
            Field field = new Field(variable.name(), FieldType.notNullable(variable.type().arrowType()), null);
            return new MatColumn(variable, samples, new int[0], 1, new int[] {0}, field);
        }
        int sampleAxis = axis == SampleAxis.FIRST ? 0 : dimensions.length - 1;
        int[] shape = new int[dimensions.length - 1];
        int[] strides = new int[dimensions.length - 1]; // column-major strides of the per-sample axes
        long stride = 1;
        int sampleStride = 0;
        for (int d = 0, k = 0; d < dimensions.length; d++) {
            if (d == sampleAxis) {
                sampleStride = (int) stride;
            } else {
                shape[k] = dimensions[d];
                strides[k++] = (int) stride;
            }
            stride *= dimensions[d];
        }
        if (stride > Integer.MAX_VALUE) {
            throw new ImportException(file, where, "more than " + Integer.MAX_VALUE + " elements");
        }
        int items = 1;
        for (int d : shape) {
            items *= d;
        }
        int[] offsets = new int[items];
        int[] index = new int[shape.length];
        for (int p = 0; p < items; p++) {
            int offset = 0;
            for (int k = 0; k < shape.length; k++) {
                offset += index[k] * strides[k];
            }
            offsets[p] = offset;
            for (int k = shape.length - 1; k >= 0; k--) { // C order: the last axis is fastest
                if (++index[k] < shape[k]) {
                    break;
                }
                index[k] = 0;
            }
        }
        Field field = character
                ? new Field(variable.name(), FieldType.notNullable(ArrowType.Utf8.INSTANCE), null)
                : tensorField(variable.name(), variable.type().arrowType(), shape);
        return new MatColumn(variable, dimensions[sampleAxis], shape, sampleStride, offsets, field);
    }

    /** FixedSizeList marked as the canonical {@code arrow.fixed_shape_tensor} with the per-sample shape. */
    private static Field tensorField(String name, ArrowType type, int[] shape) {
        StringBuilder text = new StringBuilder("{\"shape\":[");
        int items = 1;
        for (int i = 0; i < shape.length; i++) {
            text.append(i == 0 ? "" : ",").append(shape[i]);
            items *= shape[i];
        }
        Map<String, String> metadata = Map.of("ARROW:extension:name", "arrow.fixed_shape_tensor",
                "ARROW:extension:metadata", text.append("]}").toString());
        return new Field(name, new FieldType(false, new ArrowType.FixedSizeList(items), null, metadata),
                List.of(new Field("item", FieldType.notNullable(type), null)));
    }

    long sampleBytes() {
        return (long) itemOffsets.length * variable.type().bytes;
    }

    /** Fills {@code vector} with samples [first, first + count). */
    void fill(FieldVector vector, int first, int count) {
        MatVariable.Elements elements = variable.elements();
        if (variable.type() == MatVariable.Type.CHAR) {
            VarCharVector text = (VarCharVector) vector;
            text.allocateNew((long) count * itemOffsets.length + 1, count);
            char[] chars = new char[itemOffsets.length];
            for (int s = 0; s < count; s++) {
                int base = (first + s) * sampleStride;
                for (int p = 0; p < chars.length; p++) {
                    chars[p] = (char) elements.bits(base + itemOffsets[p]);
                }
                text.setSafe(s, new String(chars).getBytes(StandardCharsets.UTF_8));
            }
            text.setValueCount(count);
            return;
        }
        FieldVector items = vector;
        if (vector instanceof FixedSizeListVector list) {
            list.setInitialCapacity(count);
            list.allocateNew();
            for (int s = 0; s < count; s++) {
                list.setNotNull(s);
            }
            items = list.getDataVector();
        }
        int total = count * itemOffsets.length;
        int size = variable.type().bytes;
        if (items instanceof BitVector bits) {
            bits.allocateNew(total);
            for (int s = 0, at = 0; s < count; s++) {
                int base = (first + s) * sampleStride;
                for (int offset : itemOffsets) {
                    bits.set(at++, elements.bits(base + offset) != 0 ? 1 : 0);
                }
            }
        } else {
            BaseFixedWidthVector fixed = (BaseFixedWidthVector) items;
            fixed.allocateNew(total);
            ArrowBuf data = fixed.getDataBuffer();
            for (int s = 0, at = 0; s < count; s++) {
                int base = (first + s) * sampleStride;
                for (int offset : itemOffsets) {
                    long value = elements.bits(base + offset);
                    long position = (long) at++ * size;
                    switch (size) {
                        case 1 -> data.setByte(position, (byte) value);
                        case 2 -> data.setShort(position, (short) value);
                        case 4 -> data.setInt(position, (int) value);
                        default -> data.setLong(position, value);
                    }
                }
            }
            fixed.getValidityBuffer().setOne(0, (total + 7) / 8);
        }
        items.setValueCount(total);
        vector.setValueCount(count);
    }

    /** Which MATLAB dimension counts samples. */
    enum SampleAxis { FIRST, LAST }
}
