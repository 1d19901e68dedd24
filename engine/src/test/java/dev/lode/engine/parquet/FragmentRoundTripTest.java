package dev.lode.engine.parquet;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.VectorSchemaRootAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FragmentRoundTripTest {
    private static final long SEED = 20261104L;

    @TempDir
    Path directory;

    private final BufferAllocator allocator = new RootAllocator();

    @AfterEach
    void closeAllocator() {
        allocator.close();
    }

    private FragmentSummary write(Path file, VectorSchemaRoot data, int... slices) throws IOException {
        try (FragmentWriter writer = FragmentWriter.create(data.getSchema(), file)) {
            int from = 0;
            for (int slice : slices) {
                writer.write(data, from, slice);
                from += slice;
            }
            writer.write(data, from, data.getRowCount() - from);
            return writer.finish();
        }
    }

    /** Reads a file into one root per batch (copies, so they outlive the callback). */
    private List<VectorSchemaRoot> readAll(Path file, int batchRows) throws IOException {
        List<VectorSchemaRoot> batches = new ArrayList<>();
        FragmentReader.read(file, allocator, batchRows, batch -> {
            VectorSchemaRoot copy = VectorSchemaRoot.create(batch.getSchema(), allocator);
            copy.allocateNew();
            VectorSchemaRootAppender.append(copy, batch);
            batches.add(copy);
        });
        return batches;
    }

    @Test
    void everySupportedTypeRoundTripsExactly() throws IOException {
        try (VectorSchemaRoot data = TestData.rows(allocator, 3000, SEED)) {
            Path file = directory.resolve("all.parquet");
            FragmentSummary summary = write(file, data);
            assertEquals(3000, summary.rows());
            Schema schema = FragmentReader.readSchema(file);
            assertEquals(data.getSchema(), schema, "seed " + SEED);

            List<VectorSchemaRoot> batches = readAll(file, 1000);
            try {
                assertEquals(3, batches.size());
                for (int b = 0; b < batches.size(); b++) {
                    VectorSchemaRoot batch = batches.get(b);
                    try (VectorSchemaRoot expected = data.slice(b * 1000, 1000)) {
                        assertEquals(1000, batch.getRowCount());
                        for (int c = 0; c < expected.getFieldVectors().size(); c++) {
                            FieldVector want = expected.getVector(c);
                            FieldVector got = batch.getVector(c);
                            for (int r = 0; r < 1000; r++) {
                                Object wanted = want.getObject(r);
                                Object actual = got.getObject(r);
                                assertTrue(java.util.Objects.deepEquals(wanted, actual), "column " + want.getName()
                                        + " row " + (b * 1000 + r) + ": " + wanted + " != " + actual + ", seed " + SEED);
                            }
                        }
                    }
                }
            } finally {
                batches.forEach(VectorSchemaRoot::close);
            }
        }
    }

    @Test
    void floatsKeepTheirBitsIncludingNanPayloadsAndNegativeZero() throws IOException {
        try (VectorSchemaRoot data = TestData.rows(allocator, 500, SEED + 1)) {
            Path file = directory.resolve("floats.parquet");
            write(file, data);
            List<VectorSchemaRoot> batches = readAll(file, 10_000);
            try {
                VectorSchemaRoot got = batches.getFirst();
                var wantF = (org.apache.arrow.vector.Float4Vector) data.getVector("f32");
                var gotF = (org.apache.arrow.vector.Float4Vector) got.getVector("f32");
                var wantD = (org.apache.arrow.vector.Float8Vector) data.getVector("f64");
                var gotD = (org.apache.arrow.vector.Float8Vector) got.getVector("f64");
                int nanPayloads = 0;
                for (int r = 0; r < 500; r++) {
                    assertEquals(wantF.isNull(r), gotF.isNull(r));
                    if (!wantF.isNull(r)) {
                        int bits = Float.floatToRawIntBits(wantF.get(r));
                        assertEquals(bits, Float.floatToRawIntBits(gotF.get(r)), "f32 row " + r);
                        nanPayloads += bits == 0x7fc00123 ? 1 : 0;
                    }
                    if (!wantD.isNull(r)) {
                        assertEquals(Double.doubleToRawLongBits(wantD.get(r)), Double.doubleToRawLongBits(gotD.get(r)),
                                "f64 row " + r);
                    }
                }
                assertTrue(nanPayloads > 0, "the data should hold a NaN with a payload");
                var wantCells = (org.apache.arrow.vector.Float4Vector) ((org.apache.arrow.vector.complex.FixedSizeListVector) data.getVector("tensor")).getDataVector();
                var gotCells = (org.apache.arrow.vector.Float4Vector) ((org.apache.arrow.vector.complex.FixedSizeListVector) got.getVector("tensor")).getDataVector();
                for (int i = 0; i < 1500; i++) {
                    assertEquals(wantCells.isNull(i), gotCells.isNull(i), "tensor cell " + i);
                    if (!wantCells.isNull(i)) {
                        assertEquals(Float.floatToRawIntBits(wantCells.get(i)), Float.floatToRawIntBits(gotCells.get(i)),
                                "tensor cell " + i);
                    }
                }
            } finally {
                batches.forEach(VectorSchemaRoot::close);
            }
        }
    }

    @Test
    void sameDataGivesIdenticalBytesHoweverItIsSliced() throws IOException {
        try (VectorSchemaRoot data = TestData.rows(allocator, 2500, SEED + 2)) {
            Path whole = directory.resolve("whole.parquet");
            Path again = directory.resolve("again.parquet");
            Path sliced = directory.resolve("sliced.parquet");
            Path single = directory.resolve("single.parquet");
            FragmentSummary first = write(whole, data);
            FragmentSummary second = write(again, data);
            FragmentSummary third = write(sliced, data, 1, 0, 999, 7, 1200);
            int[] ones = new int[2499];
            java.util.Arrays.fill(ones, 1);
            write(single, data, ones);
            byte[] expected = Files.readAllBytes(whole);
            assertArrayEquals(expected, Files.readAllBytes(again));
            assertArrayEquals(expected, Files.readAllBytes(sliced));
            assertArrayEquals(expected, Files.readAllBytes(single));
            assertEquals(first, second);
            try (var reader = new org.apache.parquet.hadoop.ParquetFileReader(new org.apache.parquet.io.LocalInputFile(whole),
                    new org.apache.parquet.ParquetReadOptions.Builder(new org.apache.parquet.conf.PlainParquetConfiguration())
                            .withCodecFactory(Codecs.INSTANCE).build())) {
                var metadata = reader.getFooter().getFileMetaData();
                assertEquals(java.util.Set.of("ARROW:schema"), metadata.getKeyValueMetaData().keySet());
                assertEquals(1, reader.getRowGroups().size());
                assertTrue(metadata.getCreatedBy().startsWith("parquet-mr version 1.18.1"), metadata.getCreatedBy());
            }
            assertEquals(first, third);
        }
    }

    @Test
    void closingAnUnfinishedWriterDeletesTheFile() throws IOException {
        try (VectorSchemaRoot data = TestData.rows(allocator, 10, SEED)) {
            Path file = directory.resolve("abandoned.parquet");
            try (FragmentWriter writer = FragmentWriter.create(data.getSchema(), file)) {
                writer.write(data, 0, 10);
                assertTrue(Files.exists(file));
            }
            assertFalse(Files.exists(file));
        }
    }
}
