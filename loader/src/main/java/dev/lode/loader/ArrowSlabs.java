package dev.lode.loader;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.ForeignAllocation;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Arrow vectors over a slab, without copying: each region of a {@link SlabLayout} becomes an {@link ArrowBuf}
 * through {@link BufferAllocator#wrapForeignAllocation}, whose release does nothing because the slab owns the memory.
 * The vectors are valid only while the slab is held: close the root before closing the slab.
 */
public final class ArrowSlabs {
    private ArrowSlabs() {
    }

    /** The Arrow schema of a layout: each column's field, with its nullability, children and metadata. */
    public static Schema schema(SlabLayout layout) {
        List<Field> fields = new ArrayList<>();
        for (SlabLayout.ColumnRegions regions : layout.columns()) {
            fields.add(regions.column().field());
        }
        return new Schema(fields);
    }

    /**
     * Loads rowCount rows of every column of layout from slab into a new root owned by the caller. The data (and,
     * for binary / utf8, the offsets) of rowCount rows must already be in the slab, and so must the validity bits
     * of nullable columns and of nullable tensor items ({@link Gathers#bits}); this counts their nulls, and marks
     * every row of the other columns valid. Arrow counts the wrapped regions against allocator until the root is
     * closed.
     *
     * @throws IllegalArgumentException when rowCount exceeds the layout's batch size or the slab is too small
     */
    public static VectorSchemaRoot wrap(BufferAllocator allocator, MemorySegment slab, SlabLayout layout,
                                        int rowCount) {
        requireNonNull(allocator, "allocator is null");
        requireNonNull(slab, "slab is null");
        requireNonNull(layout, "layout is null");
        if (rowCount < 0 || rowCount > layout.batchSize()) {
            throw new IllegalArgumentException("Row count " + rowCount + " is outside 0.." + layout.batchSize());
        }
        if (slab.byteSize() < layout.totalBytes()) {
            throw new IllegalArgumentException("Slab of " + slab.byteSize() + " bytes is smaller than the "
                    + layout.totalBytes() + " bytes of " + layout);
        }
        List<ArrowFieldNode> nodes = new ArrayList<>();
        List<ArrowBuf> buffers = new ArrayList<>();
        try {
            for (SlabLayout.ColumnRegions regions : layout.columns()) {
                SlabColumn column = regions.column();
                nodes.add(new ArrowFieldNode(rowCount, nulls(slab, regions.validity(), rowCount,
                        column.nullable())));
                buffers.add(wrapRegion(allocator, slab, regions.validity()));
                switch (column.kind()) {
                    case FIXED -> buffers.add(wrapRegion(allocator, slab, regions.data()));
                    case TENSOR -> {
                        long children = (long) rowCount * column.listSize();
                        nodes.add(new ArrowFieldNode(children, nulls(slab, regions.childValidity(), children,
                                column.itemsNullable())));
                        buffers.add(wrapRegion(allocator, slab, regions.childValidity()));
                        buffers.add(wrapRegion(allocator, slab, regions.data()));
                    }
                    case BINARY, UTF8 -> {
                        if (rowCount == 0) {
                            slab.set(ValueLayout.JAVA_INT_UNALIGNED, regions.offsets().offset(), 0);
                        }
                        buffers.add(wrapRegion(allocator, slab, regions.offsets()));
                        buffers.add(wrapRegion(allocator, slab, regions.data()));
                    }
                }
            }
            VectorSchemaRoot root = VectorSchemaRoot.create(schema(layout), allocator);
            try (ArrowRecordBatch batch = new ArrowRecordBatch(rowCount, nodes, buffers)) {
                new VectorLoader(root).load(batch);
            } catch (RuntimeException failure) {
                root.close();
                throw failure;
            }
            return root;
        } finally {
            // The vectors (and the batch, until closed) hold their own references; drop the wrapping ones.
            for (ArrowBuf buffer : buffers) {
                buffer.getReferenceManager().release();
            }
        }
    }

    private static ArrowBuf wrapRegion(BufferAllocator allocator, MemorySegment slab, SlabLayout.Region region) {
        long address = slab.address() + region.offset();
        // A zero-length region still gets a distinct (empty) buffer: Arrow expects one per buffer slot.
        return allocator.wrapForeignAllocation(new ForeignAllocation(region.length(), address) {
            @Override
            protected void release0() {
                // The slab ring owns this memory; it is reused, not freed, when Arrow lets go.
            }
        });
    }

    /** The null count of a gathered bitmap; or, for a column that has no nulls, 0 after setting every bit. */
    private static long nulls(MemorySegment slab, SlabLayout.Region bitmap, long bits, boolean gathered) {
        if (gathered) {
            return Gathers.zeroBits(slab, bitmap.offset(), bits);
        }
        markValid(slab, bitmap, bits);
        return 0;
    }

    private static void markValid(MemorySegment slab, SlabLayout.Region bitmap, long bits) {
        long fullBytes = bits / 8;
        slab.asSlice(bitmap.offset(), fullBytes).fill((byte) 0xFF);
        if (bits % 8 != 0) {
            slab.set(ValueLayout.JAVA_BYTE, bitmap.offset() + fullBytes, (byte) ((1 << (bits % 8)) - 1));
        }
    }
}
