package dev.lode.engine.parquet;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.util.VectorSchemaRootAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The column-at-a-time decode ({@link FixedWidthColumns}) against record assembly ({@link ArrowConverters}) on the
 * same files: every batch, value, validity bit and data byte (zeros under nulls) must be the same.
 */
class FixedWidthColumnsTest {
    private static final int ROWS = 5_000;

    @TempDir
    Path directory;

    private final BufferAllocator allocator = new RootAllocator();

    @AfterEach
    void closeAllocator() {
        allocator.close();
    }

    @Test
    void fixedWidthAndTensorColumnsWithNullsDecodeAsRecordAssemblyDoes() throws IOException {
        long seed = new SplittableRandom().nextLong();
        System.out.println("FixedWidthColumnsTest seed " + seed);
        Path file = directory.resolve("fixed.parquet");
        try (VectorSchemaRoot data = fixedWidthData(seed, true)) {
            write(file, data);
        }
        assertTrue(FixedWidthColumns.supports(FragmentReader.readSchema(file),
                footerSchema(file)), "the fast path must apply to this schema");
        for (int batchRows : new int[] {1, 7, 4096, ROWS, ROWS + 1}) {
            assertSameBatches(file, batchRows, "seed " + seed + ", batch " + batchRows);
        }
    }

    @Test
    void nonNullableColumnsDecodeAsRecordAssemblyDoes() throws IOException {
        long seed = new SplittableRandom().nextLong();
        System.out.println("FixedWidthColumnsTest seed " + seed);
        Path file = directory.resolve("required.parquet");
        try (VectorSchemaRoot data = fixedWidthData(seed, false)) {
            write(file, data);
        }
        assertSameBatches(file, 1000, "seed " + seed);
    }

    @Test
    void aVariableWidthColumnKeepsRecordAssembly() throws IOException {
        Path file = directory.resolve("mixed.parquet");
        try (IntVector id = new IntVector("id", allocator);
             VarCharVector name = new VarCharVector("name", allocator)) {
            VectorSchemaRoot data = VectorSchemaRoot.of(id, name);
            data.allocateNew();
            for (int i = 0; i < 10; i++) {
                id.setSafe(i, i);
                name.setSafe(i, ("n" + i).getBytes(StandardCharsets.UTF_8));
            }
            data.setRowCount(10);
            write(file, data);
        }
        assertFalse(FixedWidthColumns.supports(FragmentReader.readSchema(file), footerSchema(file)));
        assertSameBatches(file, 3, "mixed");
    }

    private org.apache.parquet.schema.MessageType footerSchema(Path file) throws IOException {
        try (var reader = new org.apache.parquet.hadoop.ParquetFileReader(
                new org.apache.parquet.io.LocalInputFile(file),
                new org.apache.parquet.ParquetReadOptions.Builder(
                        new org.apache.parquet.conf.PlainParquetConfiguration()).withCodecFactory(Codecs.INSTANCE).build())) {
            return reader.getFooter().getFileMetaData().getSchema();
        }
    }

    private void write(Path file, VectorSchemaRoot data) throws IOException {
        try (FragmentWriter writer = FragmentWriter.create(data.getSchema(), file)) {
            writer.write(data, 0, data.getRowCount());
            writer.finish();
        }
    }

    private void assertSameBatches(Path file, int batchRows, String what) throws IOException {
        List<VectorSchemaRoot> fast = readAll(file, batchRows, FragmentReader.Decode.COLUMNS_WHERE_POSSIBLE);
        List<VectorSchemaRoot> slow = readAll(file, batchRows, FragmentReader.Decode.RECORDS);
        try {
            assertEquals(slow.size(), fast.size(), what + ": batches");
            for (int b = 0; b < slow.size(); b++) {
                VectorSchemaRoot expected = slow.get(b);
                VectorSchemaRoot actual = fast.get(b);
                assertEquals(expected.getRowCount(), actual.getRowCount(), what + ", batch " + b + ": rows");
                for (int c = 0; c < expected.getFieldVectors().size(); c++) {
                    assertSameVector(expected.getVector(c), actual.getVector(c), what + ", batch " + b);
                }
            }
        } finally {
            fast.forEach(VectorSchemaRoot::close);
            slow.forEach(VectorSchemaRoot::close);
        }
    }

    private static void assertSameVector(FieldVector expected, FieldVector actual, String what) {
        String where = what + ", column " + expected.getField().getName();
        assertEquals(expected.getField(), actual.getField(), where);
        assertEquals(expected.getValueCount(), actual.getValueCount(), where + ": value count");
        for (int i = 0; i < expected.getValueCount(); i++) {
            assertEquals(expected.isNull(i), actual.isNull(i), where + ", row " + i + ": null");
            assertEquals(expected.getObject(i), actual.getObject(i), where + ", row " + i);
        }
        if (expected instanceof FixedSizeListVector list) {
            assertSameVector(list.getDataVector(), ((FixedSizeListVector) actual).getDataVector(), where + " items");
        } else if (expected.getMinorType() != org.apache.arrow.vector.types.Types.MinorType.VARCHAR) {
            long bytes = (long) expected.getValueCount() * expected.getField().getType().accept(WIDTH) ;
            for (long k = 0; k < bytes; k++) {
                assertEquals(expected.getDataBuffer().getByte(k), actual.getDataBuffer().getByte(k),
                        where + ": data byte " + k + " (zero under nulls)");
            }
        }
    }

    private static final ArrowType.ArrowTypeVisitor<Integer> WIDTH = new ArrowType.PrimitiveTypeVisitor<>() {
        @Override public Integer visit(ArrowType.Null type) { return 0; }
        @Override public Integer visit(ArrowType.Int type) { return type.getBitWidth() / 8; }
        @Override public Integer visit(ArrowType.FloatingPoint type) { return type.getPrecision().ordinal() == 1 ? 4 : 8; }
        @Override public Integer visit(ArrowType.Utf8 type) { return 0; }
        @Override public Integer visit(ArrowType.Utf8View type) { return 0; }
        @Override public Integer visit(ArrowType.LargeUtf8 type) { return 0; }
        @Override public Integer visit(ArrowType.Binary type) { return 0; }
        @Override public Integer visit(ArrowType.BinaryView type) { return 0; }
        @Override public Integer visit(ArrowType.LargeBinary type) { return 0; }
        @Override public Integer visit(ArrowType.FixedSizeBinary type) { return type.getByteWidth(); }
        @Override public Integer visit(ArrowType.Bool type) { return 0; }
        @Override public Integer visit(ArrowType.Decimal type) { return 16; }
        @Override public Integer visit(ArrowType.Date type) { return 4; }
        @Override public Integer visit(ArrowType.Time type) { return 8; }
        @Override public Integer visit(ArrowType.Timestamp type) { return 8; }
        @Override public Integer visit(ArrowType.Interval type) { return 0; }
        @Override public Integer visit(ArrowType.Duration type) { return 8; }
    };

    private List<VectorSchemaRoot> readAll(Path file, int batchRows, FragmentReader.Decode decode) throws IOException {
        List<VectorSchemaRoot> batches = new ArrayList<>();
        FragmentReader.read(file, allocator, batchRows, batch -> {
            VectorSchemaRoot copy = VectorSchemaRoot.create(batch.getSchema(), allocator);
            copy.allocateNew();
            VectorSchemaRootAppender.append(copy, batch);
            batches.add(copy);
        }, decode);
        return batches;
    }

    /**
     * A uint8 image tensor (3x4x4; nullable rows and items when nullable), a float tensor of 3, int64, int32, int16,
     * float32, float64 and date columns; about one value in 13 null when nullable.
     */
    private VectorSchemaRoot fixedWidthData(long seed, boolean nullable) {
        SplittableRandom random = new SplittableRandom(seed);
        FieldType listType = nullable ? FieldType.nullable(new ArrowType.FixedSizeList(48))
                : FieldType.notNullable(new ArrowType.FixedSizeList(48));
        FixedSizeListVector image = new FixedSizeListVector("image", allocator, listType, null);
        image.addOrGetVector(nullable ? FieldType.nullable(new ArrowType.Int(8, false))
                : FieldType.notNullable(new ArrowType.Int(8, false)));
        FixedSizeListVector vector3 = new FixedSizeListVector("vector", allocator,
                FieldType.notNullable(new ArrowType.FixedSizeList(3)), null);
        vector3.addOrGetVector(FieldType.notNullable(new ArrowType.FloatingPoint(
                org.apache.arrow.vector.types.FloatingPointPrecision.SINGLE)));
        BigIntVector label = new BigIntVector("label", type(nullable, new ArrowType.Int(64, true)), allocator);
        IntVector count = new IntVector("count", type(nullable, new ArrowType.Int(32, true)), allocator);
        SmallIntVector small = new SmallIntVector("small", type(nullable, new ArrowType.Int(16, true)), allocator);
        Float4Vector weight = new Float4Vector("weight", type(nullable, new ArrowType.FloatingPoint(
                org.apache.arrow.vector.types.FloatingPointPrecision.SINGLE)), allocator);
        Float8Vector score = new Float8Vector("score", type(nullable, new ArrowType.FloatingPoint(
                org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE)), allocator);
        DateDayVector day = new DateDayVector("day", type(nullable, new ArrowType.Date(
                org.apache.arrow.vector.types.DateUnit.DAY)), allocator);
        VectorSchemaRoot root = new VectorSchemaRoot(List.of(image, vector3, label, count, small, weight, score, day));
        root.allocateNew();
        UInt1Vector pixels = (UInt1Vector) image.getDataVector();
        Float4Vector components = (Float4Vector) vector3.getDataVector();
        for (int row = 0; row < ROWS; row++) {
            if (nullable && random.nextInt(13) == 0) {
                image.setNull(row);
                for (int i = 0; i < 48; i++) {
                    pixels.setNull(row * 48 + i);
                }
            } else {
                image.setNotNull(row);
                for (int i = 0; i < 48; i++) {
                    if (nullable && random.nextInt(13) == 0) {
                        pixels.setNull(row * 48 + i);
                    } else {
                        pixels.setSafe(row * 48 + i, random.nextInt(256));
                    }
                }
            }
            vector3.setNotNull(row);
            for (int i = 0; i < 3; i++) {
                components.setSafe(row * 3 + i, (float) random.nextGaussian());
            }
            boolean nullRow = nullable && random.nextInt(13) == 0;
            if (nullRow) {
                label.setNull(row);
                count.setNull(row);
                small.setNull(row);
                weight.setNull(row);
                score.setNull(row);
                day.setNull(row);
            } else {
                label.setSafe(row, random.nextLong());
                count.setSafe(row, random.nextInt(100));
                small.setSafe(row, (short) random.nextInt(-32768, 32768));
                weight.setSafe(row, Float.intBitsToFloat(random.nextInt()));
                score.setSafe(row, random.nextDouble(-1e9, 1e9));
                day.setSafe(row, random.nextInt(-100_000, 100_000));
            }
        }
        root.setRowCount(ROWS);
        return root;
    }

    private static FieldType type(boolean nullable, ArrowType type) {
        return nullable ? FieldType.nullable(type) : FieldType.notNullable(type);
    }
}
