package dev.lode.loader;

import dev.lode.engine.LodeException;
import dev.lode.engine.ObjectId;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every column type through the loader's column path without a repository: source vectors are decoded into
 * {@link DecodedFragment}s of odd sizes (appended in odd-sized chunks, so bitmaps are appended at bit offsets that
 * are no multiple of 8), gathered by {@link BatchAssembly} into slabs of an odd batch size, wrapped by
 * {@link ArrowSlabs}, and every value, null and null count compared with the source.
 */
class ColumnTypesTest {
    private static final int[] FRAGMENT_ROWS = {37, 100, 61, 1, 29};
    private static final int CHUNK_ROWS = 13;
    private static final int BATCH = 29;

    static List<Field> allTypes() {
        List<Field> fields = new ArrayList<>(ColumnValues.storedTypes());
        fields.add(ColumnValues.nullable("float16", new ArrowType.FloatingPoint(FloatingPointPrecision.HALF)));
        fields.add(ColumnValues.nullable("date64", new ArrowType.Date(DateUnit.MILLISECOND)));
        fields.add(new Field("plain_bool", FieldType.notNullable(ArrowType.Bool.INSTANCE), null));
        fields.add(ColumnValues.tensor("bits16", ArrowType.Bool.INSTANCE, 16, false, true, "[4,4]"));
        return fields;
    }

    @Test
    void everyTypeIsGatheredValueForValueWithNullsAcrossBatchAndFragmentBoundaries() {
        Random random = TestRandom.create("ColumnTypesTest");
        Schema schema = new Schema(allTypes());
        List<SlabColumn> columns = LoaderColumns.select(schema, List.of(), 64L * BATCH);
        SlabLayout layout = SlabLayout.of(BATCH, columns);
        int total = 0;
        for (int rows : FRAGMENT_ROWS) {
            total += rows;
        }
        try (BufferAllocator allocator = new RootAllocator();
             VectorSchemaRoot source = VectorSchemaRoot.create(schema, allocator);
             Arena arena = Arena.ofConfined()) {
            ColumnValues.fill(source, total, random);
            List<DecodedFragment> fragments = decode(source, columns, allocator);
            long[] fragmentOf = new long[total];
            long[] localOf = new long[total];
            for (int f = 0, row = 0; f < FRAGMENT_ROWS.length; f++) {
                for (int local = 0; local < FRAGMENT_ROWS[f]; local++, row++) {
                    fragmentOf[row] = f;
                    localOf[row] = local;
                }
            }
            MemorySegment slab = arena.allocate(layout.totalBytes(), SlabLayout.ALIGNMENT);
            // In order: batches start at rows 0, 29, 58, ... so fragment boundaries fall at odd bit offsets; then
            // shuffled, with repeats.
            List<long[]> orders = new ArrayList<>();
            long[] sequential = new long[total];
            for (int i = 0; i < total; i++) {
                sequential[i] = i;
            }
            orders.add(sequential);
            long[] shuffled = new long[3 * total];
            for (int i = 0; i < shuffled.length; i++) {
                shuffled[i] = random.nextInt(total);
            }
            orders.add(shuffled);
            for (long[] order : orders) {
                for (int start = 0; start < order.length; start += BATCH) {
                    int count = Math.min(BATCH, order.length - start);
                    DecodedFragment[] rowFragments = new DecodedFragment[count];
                    long[] localRows = new long[count];
                    for (int i = 0; i < count; i++) {
                        int row = (int) order[start + i];
                        rowFragments[i] = fragments.get((int) fragmentOf[row]);
                        localRows[i] = localOf[row];
                    }
                    // Garbage from an earlier step must not leak into this one.
                    slab.fill((byte) random.nextInt());
                    BatchAssembly.gather(layout, rowFragments, localRows, slab, start / BATCH);
                    try (VectorSchemaRoot batch = ArrowSlabs.wrap(allocator, slab, layout, count)) {
                        assertEquals(schema, batch.getSchema());
                        for (FieldVector expected : source.getFieldVectors()) {
                            FieldVector actual = batch.getVector(expected.getName());
                            long nulls = 0;
                            for (int i = 0; i < count; i++) {
                                int row = (int) order[start + i];
                                assertEquals(ColumnValues.describe(expected, row), ColumnValues.describe(actual, i),
                                        expected.getName() + " of source row " + row + " at batch row " + i);
                                nulls += expected.isNull(row) ? 1 : 0;
                            }
                            assertEquals(nulls, actual.getNullCount(), expected.getName() + " null count");
                            if (actual instanceof FixedSizeListVector list) {
                                FieldVector items = list.getDataVector();
                                assertEquals(ColumnValues.nulls(items, count * list.getListSize()),
                                        items.getNullCount(), expected.getName() + " item null count");
                            }
                        }
                    }
                }
            }
            assertTrue(source.getVector("int32").getNullCount() > 0, "the source has nulls");
            for (DecodedFragment fragment : fragments) {
                fragment.free();
            }
        }
    }

    /** Splits source into fragments of FRAGMENT_ROWS rows, each appended in chunks of CHUNK_ROWS rows. */
    private static List<DecodedFragment> decode(VectorSchemaRoot source, List<SlabColumn> columns,
                                                BufferAllocator allocator) {
        List<DecodedFragment> fragments = new ArrayList<>();
        int row = 0;
        for (int f = 0; f < FRAGMENT_ROWS.length; f++) {
            DecodedFragment.Builder builder = new DecodedFragment.Builder(objectId(f), FRAGMENT_ROWS[f], columns);
            for (int chunk = 0; chunk < FRAGMENT_ROWS[f]; chunk += CHUNK_ROWS) {
                int rows = Math.min(CHUNK_ROWS, FRAGMENT_ROWS[f] - chunk);
                try (VectorSchemaRoot slice = slice(source, row + chunk, rows, allocator)) {
                    builder.append(slice);
                }
            }
            fragments.add(builder.finish());
            row += FRAGMENT_ROWS[f];
        }
        return fragments;
    }

    /** A copy of rows [from, from + count) whose buffers start at row 0, as a Parquet reader delivers them. */
    private static VectorSchemaRoot slice(VectorSchemaRoot source, int from, int count, BufferAllocator allocator) {
        List<FieldVector> vectors = new ArrayList<>();
        for (FieldVector vector : source.getFieldVectors()) {
            FieldVector copy = vector.getField().createVector(allocator);
            copy.setInitialCapacity(count);
            copy.allocateNew();
            for (int i = 0; i < count; i++) {
                copy.copyFromSafe(from + i, i, vector);
            }
            copy.setValueCount(count);
            vectors.add(copy);
        }
        return new VectorSchemaRoot(vectors);
    }

    private static ObjectId objectId(int f) {
        return ObjectId.parse(String.format("%064x", f + 1));
    }

    @Test
    void aNullInANonNullableColumnIsAFragmentErrorNamingRowAndColumn() {
        Field field = new Field("plain", FieldType.notNullable(new ArrowType.Int(32, true)), null);
        List<SlabColumn> columns = List.of(SlabColumn.of(field, 0));
        try (BufferAllocator allocator = new RootAllocator();
             VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(List.of(
                     new Field("plain", FieldType.nullable(new ArrowType.Int(32, true)), null))), allocator)) {
            ColumnValues.fill(root, 10, new Random(1));
            DecodedFragment.Builder builder = new DecodedFragment.Builder(objectId(0), 10, columns);
            LodeException failure = assertThrows(LodeException.class, () -> builder.append(root));
            builder.abandon();
            assertEquals("Fragment " + objectId(0) + " has a null in row 0 of column 'plain', whose schema says it"
                    + " is not nullable", failure.getMessage());
        }
    }

    @Test
    void listsAndStructsAreRejectedNamingColumnAndType() {
        Field list = new Field("tags", FieldType.nullable(ArrowType.List.INSTANCE),
                List.of(ColumnValues.nullable("item", ArrowType.Utf8.INSTANCE)));
        Field struct = new Field("point", FieldType.nullable(ArrowType.Struct.INSTANCE),
                List.of(ColumnValues.nullable("x", new ArrowType.Int(32, true))));
        Field listOfText = new Field("words", FieldType.notNullable(new ArrowType.FixedSizeList(2)),
                List.of(ColumnValues.nullable("item", ArrowType.Utf8.INSTANCE)));
        Schema schema = new Schema(List.of(list, struct, listOfText));
        LodeException listFailure = assertThrows(LodeException.class,
                () -> LoaderColumns.select(schema, List.of("tags"), 100));
        assertTrue(listFailure.getMessage().startsWith("Cannot load column 'tags': Column tags has type list"
                + " (variable-length lists are not supported"), listFailure.getMessage());
        LodeException structFailure = assertThrows(LodeException.class,
                () -> LoaderColumns.select(schema, List.of(), 100));
        assertTrue(structFailure.getMessage().startsWith("Cannot load column 'tags'"), structFailure.getMessage());
        structFailure = assertThrows(LodeException.class,
                () -> LoaderColumns.select(schema, List.of("point"), 100));
        assertTrue(structFailure.getMessage().startsWith("Cannot load column 'point': Column point has type struct"),
                structFailure.getMessage());
        LodeException textTensor = assertThrows(LodeException.class,
                () -> LoaderColumns.select(schema, List.of("words"), 100));
        assertTrue(textTensor.getMessage().startsWith("Cannot load column 'words': Column words has type fixed-size"
                + " list of Utf8, which the loader cannot deliver"), textTensor.getMessage());
    }

    @Test
    void slabsAreExactlySizedForBitPackedColumns() {
        SlabLayout layout = SlabLayout.of(29,
                SlabColumn.fixed("flag", SlabColumn.ElementType.BOOL),
                SlabColumn.tensor("mask", SlabColumn.ElementType.BOOL, 5),
                SlabColumn.fixed("half", SlabColumn.ElementType.FLOAT16).withNulls());
        assertEquals(4, layout.column("flag").data().length(), "29 bits");
        assertEquals(19, layout.column("mask").data().length(), "145 bits");
        assertEquals(19, layout.column("mask").childValidity().length());
        assertEquals(58, layout.column("half").data().length());
        assertTrue(layout.column("flag").column().bitPacked());
        assertFalse(SlabColumn.tensor("bits", SlabColumn.ElementType.BOOL, 16).bitPacked());
        assertTrue(layout.column("half").column().nullable());
    }
}
