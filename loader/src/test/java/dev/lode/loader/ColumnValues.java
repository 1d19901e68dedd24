package dev.lode.loader;

import dev.lode.engine.Fragmenting;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random column values of every type the loader delivers, with nulls (always in the first and last row, so that
 * batch and fragment boundaries meet them), and an exact description of a value to compare gathered rows with
 * their source: "null", or the hex of the value's bytes (its bit for bool; item by item for tensors).
 */
final class ColumnValues {
    private ColumnValues() {
    }

    static Field nullable(String name, ArrowType type) {
        return new Field(name, FieldType.nullable(type), null);
    }

    static Field tensor(String name, ArrowType item, int size, boolean nullable, boolean itemsNullable,
                        String shape) {
        Map<String, String> metadata = Map.of("ARROW:extension:name", "arrow.fixed_shape_tensor",
                "ARROW:extension:metadata", "{\"shape\":" + shape + "}");
        return new Field(name, new FieldType(nullable, new ArrowType.FixedSizeList(size), null, metadata),
                List.of(new Field("item", new FieldType(itemsNullable, item, null), null)));
    }

    /** Nullable columns of every type a Lode dataset stores (docs/FORMAT.md) that the loader delivers. */
    static List<Field> storedTypes() {
        List<Field> fields = new ArrayList<>();
        for (int bits : new int[] {8, 16, 32, 64}) {
            fields.add(nullable("int" + bits, new ArrowType.Int(bits, true)));
            fields.add(nullable("uint" + bits, new ArrowType.Int(bits, false)));
        }
        fields.add(nullable("float32", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)));
        fields.add(nullable("float64", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)));
        fields.add(nullable("bool", ArrowType.Bool.INSTANCE));
        fields.add(nullable("date32", new ArrowType.Date(DateUnit.DAY)));
        for (TimeUnit unit : TimeUnit.values()) {
            fields.add(nullable("ts_" + unit.name().toLowerCase(), new ArrowType.Timestamp(unit, null)));
            fields.add(nullable("ts_" + unit.name().toLowerCase() + "_tz",
                    new ArrowType.Timestamp(unit, "Europe/Paris")));
        }
        fields.add(nullable("fixed_binary", new ArrowType.FixedSizeBinary(5)));
        fields.add(nullable("utf8", ArrowType.Utf8.INSTANCE));
        fields.add(nullable("binary", ArrowType.Binary.INSTANCE));
        fields.add(tensor("image", new ArrowType.Int(8, false), 12, false, false, "[3,2,2]"));
        fields.add(tensor("nullable_image", new ArrowType.Int(16, true), 6, true, true, "[2,3]"));
        fields.add(tensor("mask", ArrowType.Bool.INSTANCE, 5, true, false, "[5]"));
        fields.add(new Field("plain_float", FieldType.notNullable(
                new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)), null));
        return fields;
    }

    /** Fills every vector of root with rows random values; nullable ones get about 30% nulls. */
    static void fill(VectorSchemaRoot root, int rows, Random random) {
        for (FieldVector vector : root.getFieldVectors()) {
            fill(vector, rows, random);
        }
        root.setRowCount(rows);
    }

    private static void fill(FieldVector vector, int rows, Random random) {
        vector.setInitialCapacity(rows);
        vector.allocateNew();
        boolean nullable = vector.getField().isNullable();
        switch (vector) {
            case FixedSizeListVector list -> {
                FieldVector items = list.getDataVector();
                fill(items, rows * list.getListSize(), random);
                for (int i = 0; i < rows; i++) {
                    if (isNull(nullable, i, rows, random)) {
                        list.setNull(i);
                    } else {
                        list.setNotNull(i);
                    }
                }
            }
            case BaseVariableWidthVector variable -> {
                for (int i = 0; i < rows; i++) {
                    if (isNull(nullable, i, rows, random)) {
                        variable.setNull(i);
                    } else {
                        String text = "v" + i + "\u00e9".repeat(random.nextInt(4)) + "x".repeat(random.nextInt(9));
                        variable.setSafe(i, text.getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
            case BaseFixedWidthVector fixed -> {
                long bytes = vector instanceof BitVector ? (rows + 7) / 8 : (long) rows * fixed.getTypeWidth();
                byte[] values = new byte[(int) bytes];
                random.nextBytes(values);
                fixed.getDataBuffer().setBytes(0, values);
                ArrowBuf validity = fixed.getValidityBuffer();
                for (int i = 0; i < rows; i++) {
                    BitVectorHelper.setValidityBit(validity, i, isNull(nullable, i, rows, random) ? 0 : 1);
                }
            }
            default -> throw new IllegalArgumentException("No random values for " + vector.getField());
        }
        vector.setValueCount(rows);
    }

    private static boolean isNull(boolean nullable, int i, int rows, Random random) {
        return nullable && (i == 0 || i == rows - 1 || random.nextInt(10) < 3);
    }

    /**
     * Writes rows random rows of schema to an Arrow IPC stream file and returns the root holding them (the
     * caller closes it). The binary column hint keeps fragments small (256 rows) so a dataset spans several.
     */
    static VectorSchemaRoot writeIpc(Path file, Schema schema, int rows, Random random, BufferAllocator allocator)
            throws IOException {
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        try {
            fill(root, rows, random);
            try (OutputStream out = Files.newOutputStream(file);
                 ArrowStreamWriter writer = new ArrowStreamWriter(root, null, Channels.newChannel(out))) {
                writer.start();
                writer.writeBatch();
                writer.end();
            }
            return root;
        } catch (IOException | RuntimeException failure) {
            root.close();
            throw failure;
        }
    }

    /** storedTypes(), with a value-size hint on the binary column that makes fragments of 256 rows. */
    static Schema smallFragmentSchema() {
        List<Field> fields = new ArrayList<>();
        for (Field field : storedTypes()) {
            if (field.getName().equals("binary")) {
                field = new Field("binary", new FieldType(true, ArrowType.Binary.INSTANCE, null,
                        Map.of(Fragmenting.ROW_BYTES_HINT, "3500")), null);
            }
            fields.add(field);
        }
        return new Schema(fields);
    }

    /** "null", or the hex of row i's value bytes (items in brackets for tensors). */
    static String describe(FieldVector vector, int i) {
        if (vector.isNull(i)) {
            return "null";
        }
        return switch (vector) {
            case FixedSizeListVector list -> {
                StringBuilder items = new StringBuilder("[");
                for (int k = 0; k < list.getListSize(); k++) {
                    items.append(k == 0 ? "" : ",").append(describe(list.getDataVector(), i * list.getListSize() + k));
                }
                yield items.append(']').toString();
            }
            case BaseVariableWidthVector variable -> HexFormat.of().formatHex(variable.get(i));
            case BitVector bits -> Integer.toString(bits.get(i));
            case BaseFixedWidthVector fixed -> {
                byte[] bytes = new byte[fixed.getTypeWidth()];
                fixed.getDataBuffer().getBytes((long) i * bytes.length, bytes);
                yield HexFormat.of().formatHex(bytes);
            }
            default -> throw new IllegalArgumentException("Cannot describe " + vector.getField());
        };
    }

    /** Nulls among rows [0, rows) of a vector, counted value by value. */
    static long nulls(FieldVector vector, int rows) {
        long count = 0;
        for (int i = 0; i < rows; i++) {
            count += vector.isNull(i) ? 1 : 0;
        }
        return count;
    }
}
