package dev.lode.loader;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArrowSlabsTest {
    private static final int IMAGE = 3 * 32 * 32;
    // A source row: image bytes, int32 label, float32 weight, int64 id.
    private static final long STRIDE = IMAGE + 4 + 4 + 8;

    private static final SlabLayout LAYOUT = SlabLayout.of(100,
            SlabColumn.tensor("image", SlabColumn.ElementType.UINT8, 3, 32, 32),
            SlabColumn.fixed("label", SlabColumn.ElementType.INT32),
            SlabColumn.fixed("weight", SlabColumn.ElementType.FLOAT32),
            SlabColumn.fixed("id", SlabColumn.ElementType.INT64),
            SlabColumn.binary("caption", 100 * 40),
            SlabColumn.utf8("text", 100 * 40));

    @Test
    void regionsAreAlignedDisjointAndInsideTheSlab() {
        long previousEnd = 0;
        for (SlabLayout.ColumnRegions column : LAYOUT.columns()) {
            for (SlabLayout.Region region : new SlabLayout.Region[] {column.validity(), column.childValidity(),
                    column.offsets(), column.data()}) {
                if (region.length() == 0) {
                    continue;
                }
                assertEquals(0, region.offset() % SlabLayout.ALIGNMENT, column + ": " + region);
                assertTrue(region.offset() >= previousEnd, column + ": " + region + " overlaps");
                previousEnd = region.end();
            }
        }
        assertTrue(LAYOUT.totalBytes() >= previousEnd);
        assertEquals(0, LAYOUT.totalBytes() % SlabLayout.ALIGNMENT);
        SlabLayout.ColumnRegions image = LAYOUT.column("image");
        assertEquals(100L * IMAGE, image.data().length());
        assertEquals((100 * IMAGE + 7) / 8, image.childValidity().length());
        assertEquals(4 * 101, LAYOUT.column("caption").offsets().length());
        IllegalArgumentException duplicate = assertThrows(IllegalArgumentException.class, () -> SlabLayout.of(4,
                SlabColumn.fixed("a", SlabColumn.ElementType.INT8), SlabColumn.binary("a", 8)));
        assertEquals("Column a appears twice", duplicate.getMessage());
    }

    @Test
    void vectorsOverASlabReadBackTheGatheredRows() throws Exception {
        long seed = new Random().nextLong();
        System.out.println("ArrowSlabsTest seed " + seed);
        Random random = new Random(seed);
        int sourceRows = 1000;
        int batch = 97; // not a multiple of 8: partial validity bytes
        try (Arena arena = Arena.ofConfined();
             PinnedMemory memory = PinnedMemory.open(ignored -> { });
             SlabRing ring = new SlabRing(memory, 2, LAYOUT.totalBytes());
             BufferAllocator allocator = new RootAllocator()) {
            MemorySegment source = arena.allocate(STRIDE * sourceRows);
            byte[] sourceBytes = new byte[(int) source.byteSize()];
            random.nextBytes(sourceBytes);
            MemorySegment.copy(sourceBytes, 0, source, ValueLayout.JAVA_BYTE, 0, sourceBytes.length);
            byte[][] captions = new byte[sourceRows][];
            MemorySegment captionOffsets = arena.allocate(8L * (sourceRows + 1));
            MemorySegment captionData = arena.allocate(40L * sourceRows);
            long cursor = 0;
            for (int row = 0; row < sourceRows; row++) {
                captions[row] = ("row " + row + " é" + "x".repeat(random.nextInt(20))).getBytes(StandardCharsets.UTF_8);
                captionOffsets.set(ValueLayout.JAVA_LONG, 8L * row, cursor);
                MemorySegment.copy(captions[row], 0, captionData, ValueLayout.JAVA_BYTE, cursor, captions[row].length);
                cursor += captions[row].length;
            }
            captionOffsets.set(ValueLayout.JAVA_LONG, 8L * sourceRows, cursor);
            long[] indices = new long[batch + 5];
            for (int i = 0; i < indices.length; i++) {
                indices[i] = random.nextInt(sourceRows);
            }
            int from = 5;

            try (SlabRing.Slab slab = ring.acquire()) {
                MemorySegment segment = slab.segment();
                Gathers.column(source, STRIDE, 0, indices, from, batch, segment, LAYOUT.column("image"));
                Gathers.column(source, STRIDE, IMAGE, indices, from, batch, segment, LAYOUT.column("label"));
                Gathers.column(source, STRIDE, IMAGE + 4, indices, from, batch, segment, LAYOUT.column("weight"));
                Gathers.column(source, STRIDE, IMAGE + 8, indices, from, batch, segment, LAYOUT.column("id"));
                Gathers.variableWidth(captionOffsets, captionData, indices, from, batch, segment,
                        LAYOUT.column("caption"));
                Gathers.variableWidth(captionOffsets, captionData, indices, from, batch, segment,
                        LAYOUT.column("text"));

                try (VectorSchemaRoot root = ArrowSlabs.wrap(allocator, segment, LAYOUT, batch)) {
                    assertEquals(batch, root.getRowCount());
                    FixedSizeListVector images = (FixedSizeListVector) root.getVector("image");
                    UInt1Vector pixels = (UInt1Vector) images.getDataVector();
                    IntVector labels = (IntVector) root.getVector("label");
                    Float4Vector weights = (Float4Vector) root.getVector("weight");
                    BigIntVector ids = (BigIntVector) root.getVector("id");
                    VarBinaryVector binary = (VarBinaryVector) root.getVector("caption");
                    VarCharVector text = (VarCharVector) root.getVector("text");
                    // No copy: the vector's data buffer is the slab's image region.
                    assertEquals(segment.address() + LAYOUT.column("image").data().offset(),
                            pixels.getDataBuffer().memoryAddress());
                    for (int i = 0; i < batch; i++) {
                        long row = indices[from + i];
                        long base = row * STRIDE;
                        assertTrue(!images.isNull(i) && !labels.isNull(i) && !binary.isNull(i), "row " + i);
                        byte[] expectedImage = Arrays.copyOfRange(sourceBytes, (int) base, (int) base + IMAGE);
                        byte[] actualImage = new byte[IMAGE];
                        for (int p = 0; p < IMAGE; p++) {
                            actualImage[p] = pixels.get(i * IMAGE + p);
                        }
                        assertArrayEquals(expectedImage, actualImage, "image of row " + row);
                        assertEquals(source.get(ValueLayout.JAVA_INT_UNALIGNED, base + IMAGE), labels.get(i));
                        assertEquals(source.get(ValueLayout.JAVA_FLOAT_UNALIGNED, base + IMAGE + 4), weights.get(i));
                        assertEquals(source.get(ValueLayout.JAVA_LONG_UNALIGNED, base + IMAGE + 8), ids.get(i));
                        assertArrayEquals(captions[(int) row], binary.get(i), "caption of row " + row);
                        assertEquals(new String(captions[(int) row], StandardCharsets.UTF_8),
                                text.getObject(i).toString());
                    }
                }
                assertEquals(0, allocator.getAllocatedMemory(), "closing the root releases every wrapped region");
            }
            assertEquals(2 * LAYOUT.totalBytes(), memory.allocatedBytes(), "the slabs themselves stay allocated");
        }
    }

    @Test
    void variableWidthGatherRejectsValuesBeyondTheRegion() {
        SlabLayout layout = SlabLayout.of(4, SlabColumn.binary("blob", 10));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment offsets = arena.allocate(8 * 3);
            offsets.set(ValueLayout.JAVA_LONG, 8, 6);
            offsets.set(ValueLayout.JAVA_LONG, 16, 12);
            MemorySegment data = arena.allocate(12);
            MemorySegment slab = arena.allocate(layout.totalBytes());
            IllegalArgumentException full = assertThrows(IllegalArgumentException.class, () -> Gathers.variableWidth(
                    offsets, data, new long[] {0, 1}, 0, 2, slab, layout.column("blob")));
            assertEquals("Cannot gather row 1 into column blob: 12 bytes exceed its 10-byte data region",
                    full.getMessage());
        }
    }
}
