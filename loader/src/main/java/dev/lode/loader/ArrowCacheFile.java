package dev.lode.loader;

import dev.lode.engine.ObjectId;
import net.jpountz.lz4.LZ4FrameInputStream;
import org.apache.arrow.flatbuf.Block;
import org.apache.arrow.flatbuf.BodyCompression;
import org.apache.arrow.flatbuf.CompressionType;
import org.apache.arrow.flatbuf.Footer;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.ForeignAllocation;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.LargeVarBinaryVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * One fragment's decoded columns as an Arrow IPC file with a single record batch, whose buffers are exactly the
 * segments of a {@link DecodedFragment}: a fixed-width or tensor column is FixedSizeBinary(row bytes), a binary or
 * utf8 column LargeBinary (int64 offsets). The schema's metadata names the cache format, the fragment, its rows and
 * the CRC-32C of the decoded column bytes (each column's values, then its offsets), so a file is checked against its
 * own content whether or not the cache index is available.
 *
 * <p>{@link #map} memory-maps an uncompressed file and hands out segments of the mapping (no copy); a compressed
 * file is decompressed into memory. A file that is short, unparseable, of another fragment, format or column set,
 * or whose bytes do not match its checksum is rejected with {@link CorruptCacheFileException}: never served.
 */
final class ArrowCacheFile {
    /**
     * Whether the cache format holds these columns. It does not hold tensors with nullable items or bit-packed
     * tensors (bool tensors): the loader decodes a column set with one of those in memory instead.
     */
    static boolean holds(List<SlabColumn> columns) {
        for (SlabColumn column : columns) {
            if (column.itemsNullable()
                    || (!DecodedFragment.isVariable(column) && column.bitPacked() && column.rowBits() != 1)) {
                return false;
            }
        }
        return true;
    }

    static final String FORMAT = "lode-fragment-cache-2";
    private static final String FORMAT_KEY = "lode.cache.format";
    private static final String FRAGMENT_KEY = "lode.fragment";
    private static final String ROWS_KEY = "lode.rows";
    private static final String CHECKSUM_KEY = "lode.crc32c";
    private static final byte[] MAGIC = "ARROW1".getBytes(StandardCharsets.US_ASCII);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long CRC_CHUNK = 1L << 30;

    private ArrowCacheFile() {
    }

    /**
     * Writes the fragment to {@code target} atomically: a temporary file beside it, fsynced, then renamed over it,
     * so a reader (in this or another process) sees the whole file or none.
     *
     * @return the file's size in bytes
     */
    static long write(Path target, DecodedFragment fragment, List<SlabColumn> columns, CacheCompression compression,
                      BufferAllocator allocator) throws IOException {
        Path temporary = target.resolveSibling(target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                writeTo(channel, fragment, columns, compression, allocator);
            }
            long size = Files.size(temporary);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncFolder(target.getParent());
            return size;
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static void writeTo(FileChannel channel, DecodedFragment fragment, List<SlabColumn> columns,
                                CacheCompression compression, BufferAllocator allocator) throws IOException {
        int rows = Math.toIntExact(fragment.rows());
        List<Field> fields = new ArrayList<>();
        List<FieldVector> vectors = new ArrayList<>();
        try {
            for (int c = 0; c < columns.size(); c++) {
                Field field = field(columns.get(c));
                fields.add(field);
                SlabColumn column = columns.get(c);
                MemorySegment validity = fragment.validity(c);
                ArrowFieldNode node = new ArrowFieldNode(rows,
                        validity == null ? 0 : Math.toIntExact(Gathers.zeroBits(validity, 0, rows)));
                ArrowBuf validityBuffer = validity == null ? allocator.getEmpty()
                        : wrap(allocator, validity, bitmapBytes(rows));
                if (DecodedFragment.isVariable(columns.get(c))) {
                    MemorySegment offsets = fragment.offsets(c);
                    long valueBytes = offsets.get(ValueLayout.JAVA_LONG_UNALIGNED, 8L * rows);
                    LargeVarBinaryVector vector = new LargeVarBinaryVector(field, allocator);
                    vectors.add(vector);
                    try (validityBuffer;
                         ArrowBuf offsetBuffer = wrap(allocator, offsets, 8L * (rows + 1));
                         ArrowBuf dataBuffer = wrap(allocator, fragment.data(c), valueBytes)) {
                        vector.loadFieldBuffers(node, List.of(validityBuffer, offsetBuffer, dataBuffer));
                    }
                } else {
                    FieldVector vector = column.bitPacked() ? new BitVector(field, allocator)
                            : new FixedSizeBinaryVector(field, allocator);
                    vectors.add(vector);
                    try (validityBuffer;
                         ArrowBuf dataBuffer = wrap(allocator, fragment.data(c), fixedBytes(column, rows))) {
                        vector.loadFieldBuffers(node, List.of(validityBuffer, dataBuffer));
                    }
                }
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put(FORMAT_KEY, FORMAT);
            metadata.put(FRAGMENT_KEY, fragment.object().hex());
            metadata.put(ROWS_KEY, Long.toString(fragment.rows()));
            metadata.put(CHECKSUM_KEY, checksum(fragment, columns));
            VectorSchemaRoot root = new VectorSchemaRoot(new Schema(fields, metadata), vectors, rows);
            CompressionUtil.CodecType codec = compression == CacheCompression.LZ4_FRAME
                    ? CompressionUtil.CodecType.LZ4_FRAME : CompressionUtil.CodecType.NO_COMPRESSION;
            try (ArrowFileWriter writer = new ArrowFileWriter(root, null, channel, Map.of(), IpcOption.DEFAULT,
                    Lz4FrameCodec.FACTORY, codec)) {
                writer.start();
                writer.writeBatch();
                writer.end();
                channel.force(true); // before the writer closes the channel
            }
        } finally {
            for (FieldVector vector : vectors) {
                vector.close();
            }
        }
    }

    /**
     * Maps the file and checks it against the fragment and columns expected.
     *
     * @throws CorruptCacheFileException when the file is not a complete, intact cache file of this fragment
     * @throws IOException               when it cannot be read (for example, it was deleted meanwhile)
     */
    static DecodedFragment map(Path file, ObjectId object, long rows, List<SlabColumn> columns) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 2L * MAGIC.length + 16) {
                throw new CorruptCacheFileException(file, "is " + size + " bytes, too short for an Arrow IPC file");
            }
            MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return parse(file, mapped, object, rows, columns, arena);
        } catch (CorruptCacheFileException | RuntimeException | Error failure) {
            arena.close();
            if (failure instanceof RuntimeException runtime && !(failure instanceof CorruptCacheFileException)) {
                throw new CorruptCacheFileException(file, "cannot be parsed (" + runtime + ")");
            }
            throw failure;
        } catch (IOException failure) {
            arena.close();
            throw failure;
        }
    }

    private static DecodedFragment parse(Path file, MemorySegment mapped, ObjectId object, long rows,
                                         List<SlabColumn> columns, Arena arena) throws CorruptCacheFileException {
        long size = mapped.byteSize();
        if (!hasMagic(mapped, 0) || !hasMagic(mapped, size - MAGIC.length)) {
            throw new CorruptCacheFileException(file, "lacks the Arrow IPC magic at its start or end (truncated?)");
        }
        long footerLength = Integer.toUnsignedLong(mapped.get(INT, size - MAGIC.length - 4));
        long footerStart = size - MAGIC.length - 4 - footerLength;
        if (footerStart < 8) {
            throw new CorruptCacheFileException(file, "has a footer of " + footerLength + " bytes, more than fits");
        }
        Footer footer = Footer.getRootAsFooter(mapped.asSlice(footerStart, footerLength).asByteBuffer()
                .order(ByteOrder.LITTLE_ENDIAN));
        Schema schema = Schema.convertSchema(footer.schema());
        Map<String, String> metadata = schema.getCustomMetadata();
        expect(file, "format", FORMAT, metadata.get(FORMAT_KEY));
        expect(file, "fragment", object.hex(), metadata.get(FRAGMENT_KEY));
        expect(file, "rows", Long.toString(rows), metadata.get(ROWS_KEY));
        List<Field> fields = schema.getFields();
        if (fields.size() != columns.size()) {
            throw new CorruptCacheFileException(file, "has " + fields.size() + " columns, expected " + columns.size());
        }
        for (int c = 0; c < columns.size(); c++) {
            Field expected = field(columns.get(c));
            if (!fields.get(c).getName().equals(expected.getName())
                    || !fields.get(c).getType().equals(expected.getType())) {
                throw new CorruptCacheFileException(file, "has column " + fields.get(c) + " where " + expected
                        + " was expected");
            }
        }
        if (footer.recordBatchesLength() != 1) {
            throw new CorruptCacheFileException(file, "has " + footer.recordBatchesLength()
                    + " record batches, expected 1");
        }
        Block block = footer.recordBatches(0);
        long blockStart = block.offset();
        long bodyStart = blockStart + block.metaDataLength();
        long bodyLength = block.bodyLength();
        if (blockStart < 8 || block.metaDataLength() < 8 || bodyLength < 0 || bodyStart + bodyLength > footerStart) {
            throw new CorruptCacheFileException(file, "has a record batch outside the file");
        }
        int prefix = mapped.get(INT, blockStart);
        long messageStart = prefix == -1 ? blockStart + 8 : blockStart + 4;
        long messageLength = Integer.toUnsignedLong(prefix == -1 ? mapped.get(INT, blockStart + 4) : prefix);
        if (messageStart + messageLength > bodyStart) {
            throw new CorruptCacheFileException(file, "has a record batch header longer than its block");
        }
        Message message = Message.getRootAsMessage(mapped.asSlice(messageStart, messageLength).asByteBuffer()
                .order(ByteOrder.LITTLE_ENDIAN));
        if (message.headerType() != MessageHeader.RecordBatch) {
            throw new CorruptCacheFileException(file, "holds a message of type " + message.headerType()
                    + " where a record batch was expected");
        }
        RecordBatch batch = (RecordBatch) message.header(new RecordBatch());
        if (batch.length() != rows) {
            throw new CorruptCacheFileException(file, "has a record batch of " + batch.length() + " rows, expected "
                    + rows);
        }
        BodyCompression compression = batch.compression();
        if (compression != null && compression.codec() != CompressionType.LZ4_FRAME) {
            throw new CorruptCacheFileException(file, "uses compression codec " + compression.codec()
                    + "; the cache writes LZ4_FRAME or none");
        }
        int expectedBuffers = 0;
        for (SlabColumn column : columns) {
            expectedBuffers += DecodedFragment.isVariable(column) ? 3 : 2;
        }
        if (batch.buffersLength() != expectedBuffers) {
            throw new CorruptCacheFileException(file, "has " + batch.buffersLength() + " buffers, expected "
                    + expectedBuffers);
        }
        MemorySegment body = mapped.asSlice(bodyStart, bodyLength);
        MemorySegment[] data = new MemorySegment[columns.size()];
        MemorySegment[] offsets = new MemorySegment[columns.size()];
        MemorySegment[] validity = new MemorySegment[columns.size()];
        int buffer = 0;
        for (int c = 0; c < columns.size(); c++) {
            SlabColumn column = columns.get(c);
            if (column.nullable()) {
                validity[c] = buffer(file, body, batch, buffer++, compression != null, arena);
                checkLength(file, column, "validity", validity[c], bitmapBytes(rows));
            } else {
                buffer++; // validity of a column that has no nulls: empty
            }
            if (DecodedFragment.isVariable(column)) {
                offsets[c] = buffer(file, body, batch, buffer++, compression != null, arena);
                data[c] = buffer(file, body, batch, buffer++, compression != null, arena);
                checkLength(file, column, "offsets", offsets[c], 8 * (rows + 1));
                checkLength(file, column, "values", data[c], offsets[c].get(LONG, 8 * rows));
            } else {
                data[c] = buffer(file, body, batch, buffer++, compression != null, arena);
                checkLength(file, column, "values", data[c], fixedBytes(column, rows));
            }
        }
        String actual = checksum(data, offsets, validity, rows);
        if (!actual.equals(metadata.get(CHECKSUM_KEY))) {
            throw new CorruptCacheFileException(file, "has column bytes with CRC-32C " + actual + ", its header says "
                    + metadata.get(CHECKSUM_KEY));
        }
        return DecodedFragment.of(object, rows, arena, data, offsets, validity, new MemorySegment[columns.size()]);
    }

    private static MemorySegment buffer(Path file, MemorySegment body, RecordBatch batch, int index,
                                        boolean compressed, Arena arena) throws CorruptCacheFileException {
        org.apache.arrow.flatbuf.Buffer location = batch.buffers(index);
        long offset = location.offset();
        long length = location.length();
        if (offset < 0 || length < 0 || offset + length > body.byteSize()) {
            throw new CorruptCacheFileException(file, "has buffer " + index + " outside its record batch");
        }
        MemorySegment stored = body.asSlice(offset, length);
        if (!compressed) {
            return stored;
        }
        if (length < CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH) {
            throw new CorruptCacheFileException(file, "has compressed buffer " + index + " of only " + length
                    + " bytes");
        }
        long uncompressed = stored.get(LONG, 0);
        MemorySegment frame = stored.asSlice(CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH);
        if (uncompressed == CompressionUtil.NO_COMPRESSION_LENGTH) {
            return frame;
        }
        if (uncompressed < 0) {
            throw new CorruptCacheFileException(file, "has buffer " + index + " of negative length " + uncompressed);
        }
        MemorySegment target = arena.allocate(Math.max(1, uncompressed), 64).asSlice(0, uncompressed);
        try (InputStream in = new LZ4FrameInputStream(new SegmentInputStream(frame))) {
            byte[] chunk = new byte[1 << 16];
            long at = 0;
            int n;
            while ((n = in.read(chunk)) > 0) {
                if (at + n > uncompressed) {
                    throw new CorruptCacheFileException(file, "has buffer " + index + " that decompresses to more"
                            + " than its " + uncompressed + " bytes");
                }
                MemorySegment.copy(chunk, 0, target, ValueLayout.JAVA_BYTE, at, n);
                at += n;
            }
            if (at != uncompressed) {
                throw new CorruptCacheFileException(file, "has buffer " + index + " that decompresses to " + at
                        + " bytes, expected " + uncompressed);
            }
        } catch (IOException e) {
            throw new CorruptCacheFileException(file, "has buffer " + index + " that does not decompress ("
                    + e.getMessage() + ")");
        }
        return target;
    }

    private static void checkLength(Path file, SlabColumn column, String what, MemorySegment segment, long expected)
            throws CorruptCacheFileException {
        if (segment.byteSize() < expected) {
            throw new CorruptCacheFileException(file, "has " + segment.byteSize() + " bytes of " + what
                    + " for column '" + column.name() + "', expected " + expected);
        }
    }

    private static void expect(Path file, String what, String expected, String actual)
            throws CorruptCacheFileException {
        if (!expected.equals(actual)) {
            throw new CorruptCacheFileException(file, "is marked " + what + " " + actual + ", expected " + expected);
        }
    }

    private static boolean hasMagic(MemorySegment mapped, long at) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (mapped.get(ValueLayout.JAVA_BYTE, at + i) != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    /** The Arrow field a column is cached as: its packed row bytes, or its values with int64 offsets. */
    private static Field field(SlabColumn column) {
        ArrowType type = DecodedFragment.isVariable(column) ? ArrowType.LargeBinary.INSTANCE
                : column.bitPacked() ? ArrowType.Bool.INSTANCE
                : new ArrowType.FixedSizeBinary(Math.toIntExact(column.rowBytes()));
        return new Field(column.name(), new FieldType(column.nullable(), type, null), null);
    }

    /** Bytes of a fixed-width column's values: rows x row bytes, or a bitmap of rows bits for bool. */
    private static long fixedBytes(SlabColumn column, long rows) {
        return column.bitPacked() ? bitmapBytes(rows) : rows * column.rowBytes();
    }

    private static long bitmapBytes(long rows) {
        return (rows + 7) / 8;
    }

    private static String checksum(DecodedFragment fragment, List<SlabColumn> columns) {
        MemorySegment[] data = new MemorySegment[columns.size()];
        MemorySegment[] offsets = new MemorySegment[columns.size()];
        MemorySegment[] validity = new MemorySegment[columns.size()];
        long rows = fragment.rows();
        for (int c = 0; c < columns.size(); c++) {
            SlabColumn column = columns.get(c);
            if (DecodedFragment.isVariable(column)) {
                offsets[c] = fragment.offsets(c).asSlice(0, 8 * (rows + 1));
                data[c] = fragment.data(c).asSlice(0, offsets[c].get(ValueLayout.JAVA_LONG_UNALIGNED, 8 * rows));
            } else {
                data[c] = fragment.data(c).asSlice(0, fixedBytes(column, rows));
            }
            validity[c] = fragment.validity(c);
        }
        return checksum(data, offsets, validity, rows);
    }

    /** CRC-32C over each column's values, then its offsets, then its validity bitmap (rows bits, whole bytes). */
    private static String checksum(MemorySegment[] data, MemorySegment[] offsets, MemorySegment[] validity,
                                   long rows) {
        CRC32C crc = new CRC32C();
        for (int c = 0; c < data.length; c++) {
            update(crc, data[c]);
            if (offsets[c] != null) {
                update(crc, offsets[c]);
            }
            if (validity[c] != null) {
                update(crc, validity[c].asSlice(0, bitmapBytes(rows)));
            }
        }
        return HexFormat.of().toHexDigits((int) crc.getValue());
    }

    private static void update(CRC32C crc, MemorySegment segment) {
        for (long at = 0; at < segment.byteSize(); at += CRC_CHUNK) {
            crc.update(segment.asSlice(at, Math.min(CRC_CHUNK, segment.byteSize() - at)).asByteBuffer());
        }
    }

    private static ArrowBuf wrap(BufferAllocator allocator, MemorySegment segment, long length) {
        return allocator.wrapForeignAllocation(new ForeignAllocation(length, segment.address()) {
            @Override
            protected void release0() {
                // The fragment's arena owns the memory.
            }
        });
    }

    private static void syncFolder(Path folder) {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException ignored) {
            // Not every file system lets a folder be opened for sync; the file itself was synced.
        }
    }

    /** Reads a memory segment as a stream, for the LZ4 frame decoder. */
    private static final class SegmentInputStream extends InputStream {
        private final MemorySegment segment;
        private long position;

        SegmentInputStream(MemorySegment segment) {
            this.segment = segment;
        }

        @Override
        public int read() {
            return position < segment.byteSize() ? segment.get(ValueLayout.JAVA_BYTE, position++) & 0xFF : -1;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            long left = segment.byteSize() - position;
            if (left <= 0) {
                return length == 0 ? 0 : -1;
            }
            int n = (int) Math.min(length, left);
            MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, position, buffer, offset, n);
            position += n;
            return n;
        }
    }
}
