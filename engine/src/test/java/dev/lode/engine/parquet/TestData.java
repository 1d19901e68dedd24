package dev.lode.engine.parquet;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampNanoVector;
import org.apache.arrow.vector.TimeStampSecVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** A schema with every supported type and a seeded generator of rows for it, nulls and extreme values included. */
final class TestData {
    private TestData() {
    }

    static Field field(String name, boolean nullable, ArrowType type, Field... children) {
        return new Field(name, new FieldType(nullable, type, null), List.of(children));
    }

    static Schema allTypes() {
        Field tensor = new Field("tensor", new FieldType(true, new ArrowType.FixedSizeList(3), null,
                Map.of("ARROW:extension:name", "arrow.fixed_shape_tensor",
                        "ARROW:extension:metadata", "{\"shape\":[3]}")),
                List.of(field("item", false, new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE))));
        return new Schema(List.of(
                field("i8", true, new ArrowType.Int(8, true)),
                field("i16", true, new ArrowType.Int(16, true)),
                field("i32", false, new ArrowType.Int(32, true)),
                field("i64", true, new ArrowType.Int(64, true)),
                field("u8", true, new ArrowType.Int(8, false)),
                field("u16", true, new ArrowType.Int(16, false)),
                field("u32", true, new ArrowType.Int(32, false)),
                field("u64", true, new ArrowType.Int(64, false)),
                field("f32", true, new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
                field("f64", true, new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
                field("flag", true, ArrowType.Bool.INSTANCE),
                field("text", true, ArrowType.Utf8.INSTANCE),
                field("bytes", true, ArrowType.Binary.INSTANCE),
                field("day", true, new ArrowType.Date(DateUnit.DAY)),
                field("ts_s", true, new ArrowType.Timestamp(TimeUnit.SECOND, null)),
                field("ts_us_utc", true, new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
                field("ts_ns", true, new ArrowType.Timestamp(TimeUnit.NANOSECOND, null)),
                field("words", true, ArrowType.List.INSTANCE, field("item", true, ArrowType.Utf8.INSTANCE)),
                field("point", true, ArrowType.Struct.INSTANCE,
                        field("x", false, new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
                        field("tags", true, ArrowType.List.INSTANCE, field("item", true, new ArrowType.Int(32, true)))),
                tensor,
                field("digest", true, new ArrowType.FixedSizeBinary(4))),
                Map.of("lode.test", "all types", "b", "2"));
    }

    private static final float[] FLOATS = {0f, -0f, Float.NaN, Float.intBitsToFloat(0x7fc00123),
            Float.intBitsToFloat(0xffa00001), Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
            Float.MAX_VALUE, -1.5f};
    private static final double[] DOUBLES = {0d, -0d, Double.NaN, Double.longBitsToDouble(0x7ff8000000000abcL),
            Double.longBitsToDouble(0xfff0000000000001L), Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            Double.MIN_VALUE, Double.MAX_VALUE, 1e-300};
    private static final long[] LONGS = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MIN_VALUE, 42};
    private static final String[] STRINGS = {"", "a", "héllo wörld", "日本語", "\u0000", "z".repeat(300)};

    /** Fills a root of {@link #allTypes()} with {@code rows} rows from {@code seed}. */
    static VectorSchemaRoot rows(BufferAllocator allocator, int rows, long seed) {
        Random random = new Random(seed);
        VectorSchemaRoot root = VectorSchemaRoot.create(allTypes(), allocator);
        root.allocateNew();
        for (int r = 0; r < rows; r++) {
            long l = random.nextInt(4) == 0 ? LONGS[random.nextInt(LONGS.length)] : random.nextLong();
            boolean isNull = random.nextInt(7) == 0;
            if (!isNull) {
                ((TinyIntVector) root.getVector("i8")).setSafe(r, (byte) l);
                ((SmallIntVector) root.getVector("i16")).setSafe(r, (short) l);
                ((BigIntVector) root.getVector("i64")).setSafe(r, l);
                ((UInt1Vector) root.getVector("u8")).setSafe(r, (byte) l);
                ((UInt2Vector) root.getVector("u16")).setSafe(r, (char) l);
                ((UInt4Vector) root.getVector("u32")).setSafe(r, (int) l);
                ((UInt8Vector) root.getVector("u64")).setSafe(r, l);
                ((Float4Vector) root.getVector("f32")).setSafe(r, random.nextBoolean() ? FLOATS[random.nextInt(FLOATS.length)] : random.nextFloat());
                ((Float8Vector) root.getVector("f64")).setSafe(r, random.nextBoolean() ? DOUBLES[random.nextInt(DOUBLES.length)] : random.nextGaussian());
                ((BitVector) root.getVector("flag")).setSafe(r, random.nextInt(2));
                ((VarCharVector) root.getVector("text")).setSafe(r, STRINGS[random.nextInt(STRINGS.length)].getBytes(StandardCharsets.UTF_8));
                byte[] bytes = new byte[random.nextInt(20)];
                random.nextBytes(bytes);
                ((VarBinaryVector) root.getVector("bytes")).setSafe(r, bytes);
                ((DateDayVector) root.getVector("day")).setSafe(r, random.nextInt(200_000) - 100_000);
                ((TimeStampSecVector) root.getVector("ts_s")).setSafe(r, l);
                ((TimeStampMicroTZVector) root.getVector("ts_us_utc")).setSafe(r, l);
                ((TimeStampNanoVector) root.getVector("ts_ns")).setSafe(r, l);
                byte[] digest = new byte[4];
                random.nextBytes(digest);
                ((FixedSizeBinaryVector) root.getVector("digest")).setSafe(r, digest);
            } else {
                for (String name : List.of("i8", "i16", "i64", "u8", "u16", "u32", "u64", "f32", "f64", "flag", "text",
                        "bytes", "day", "ts_s", "ts_us_utc", "ts_ns", "digest")) {
                    ((org.apache.arrow.vector.BaseValueVector) root.getVector(name)).getClass();
                    nullAt(root, name, r);
                }
            }
            ((IntVector) root.getVector("i32")).setSafe(r, (int) l);

            ListVector words = (ListVector) root.getVector("words");
            if (random.nextInt(5) == 0) {
                words.setNull(r);
            } else {
                VarCharVector items = (VarCharVector) words.getDataVector();
                int start = words.startNewValue(r);
                int n = random.nextInt(4);
                for (int k = 0; k < n; k++) {
                    if (random.nextInt(4) == 0) {
                        items.setNull(start + k);
                    } else {
                        items.setSafe(start + k, STRINGS[random.nextInt(STRINGS.length)].getBytes(StandardCharsets.UTF_8));
                    }
                }
                words.endValue(r, n);
            }

            StructVector point = (StructVector) root.getVector("point");
            Float8Vector x = (Float8Vector) point.getChild("x");
            ListVector tags = (ListVector) point.getChild("tags");
            if (random.nextInt(5) == 0) {
                point.setNull(r);
                x.setNull(r);
                tags.setNull(r);
            } else {
                point.setIndexDefined(r);
                x.setSafe(r, DOUBLES[random.nextInt(DOUBLES.length)]);
                if (random.nextBoolean()) {
                    tags.setNull(r);
                } else {
                    IntVector tagItems = (IntVector) tags.getDataVector();
                    int start = tags.startNewValue(r);
                    int n = random.nextInt(3);
                    for (int k = 0; k < n; k++) {
                        tagItems.setSafe(start + k, random.nextInt());
                    }
                    tags.endValue(r, n);
                }
            }

            FixedSizeListVector tensor = (FixedSizeListVector) root.getVector("tensor");
            Float4Vector cells = (Float4Vector) tensor.getDataVector();
            if (random.nextInt(6) == 0) {
                tensor.setNull(r);
                for (int k = 0; k < 3; k++) {
                    cells.setNull(3 * r + k);
                }
            } else {
                int start = tensor.startNewValue(r);
                for (int k = 0; k < 3; k++) {
                    cells.setSafe(start + k, FLOATS[random.nextInt(FLOATS.length)]);
                }
            }
        }
        root.setRowCount(rows);
        return root;
    }

    private static void nullAt(VectorSchemaRoot root, String name, int row) {
        var vector = root.getVector(name);
        if (vector instanceof org.apache.arrow.vector.BaseFixedWidthVector fixed) {
            fixed.setNull(row);
        } else if (vector instanceof org.apache.arrow.vector.BaseVariableWidthVector variable) {
            variable.setNull(row);
        } else {
            throw new AssertionError(name);
        }
    }
}
