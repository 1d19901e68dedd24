package dev.lode.engine.parquet;

import dev.lode.engine.importer.ImportException;
import org.apache.arrow.flatbuf.Buffer;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.SeekableReadChannel;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TypeLayout;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageChannelReader;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.MetadataVersion;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.validate.MetadataV4UnionChecker;
import org.apache.arrow.vector.validate.ValidateVectorDataVisitor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Arrow's IPC file and stream readers with the message reading replaced, so that no error path leaves Arrow memory
 * allocated and no length in the input is allocated before it is checked against the file's size.
 *
 * <p>Why: Arrow Java 19's readers allocate a message body and then parse the batch's metadata; when that fails (a
 * buffer beyond the body, a node longer than {@code Integer.MAX_VALUE}, garbage flatbuffers, a message of the wrong
 * type) the exception escapes and the body stays allocated with no one holding a reference to free it
 * ({@code MessageSerializer.deserializeRecordBatch(ReadChannel, ArrowBlock, BufferAllocator)}, the stream reader's
 * {@code loadNextBatch} and {@code readSchema}). Closing the reader cannot free it. These readers own the body until
 * Arrow has built the batch and release it on every failure. Dictionary-encoded fields are refused when the schema is
 * read, before Arrow's readers would load any dictionary batch (which leaks the same way).
 *
 * <p>A batch is also checked before its row count is set: Arrow's {@code VectorLoader} sets it right after handing
 * the buffers to the vectors, and with corrupt offsets that trips assertions inside Arrow or grows vectors to whatever
 * size the offsets name. Here every node and buffer is matched to the schema, every column must have the batch's row
 * count, and Arrow's full validation (buffer sizes, offsets in order and in range) runs first.
 */
final class ArrowIpcReaders {
    private static final int CONTINUATION = 0xFFFFFFFF;

    private ArrowIpcReaders() {
    }

    /** A reader for the IPC file format ("ARROW1" magic, footer with record batch blocks). */
    static ArrowReader file(Path file, FileChannel channel, BufferAllocator allocator) {
        return new FileReader(file, channel, allocator);
    }

    /** A reader for the IPC stream format (schema message, record batch messages, optional end-of-stream marker). */
    static ArrowReader stream(Path file, FileChannel channel, BufferAllocator allocator) {
        return new StreamReader(file, channel, allocator);
    }

    private static void checkNoDictionary(Path file, Schema schema) {
        for (Field field : schema.getFields()) {
            checkNoDictionary(file, field, field.getName());
        }
    }

    private static void checkNoDictionary(Path file, Field field, String path) {
        if (field.getDictionary() != null) {
            throw new ImportException(file, null, "field " + path + " is dictionary-encoded, which is not supported");
        }
        for (Field child : field.getChildren()) {
            checkNoDictionary(file, child, path + "." + child.getName());
        }
    }

    private static String headerName(byte type) {
        return type >= 0 && type < MessageHeader.names.length ? MessageHeader.name(type) : "unknown (" + type + ")";
    }

    /**
     * Builds the batch from its metadata and body; on success the batch holds the body's memory and the caller's
     * reference to it is released, on failure the body is released here.
     */
    private static ArrowRecordBatch recordBatch(Message message, ArrowBuf body, String where) throws IOException {
        try {
            if (message.headerType() != MessageHeader.RecordBatch) {
                throw new IOException(where + " is a " + headerName(message.headerType())
                        + " message, expected a record batch");
            }
            RecordBatch metadata = (RecordBatch) message.header(new RecordBatch());
            if (metadata == null) {
                throw new IOException(where + " has no record batch header");
            }
            // Checked here because Arrow slices a negative length without complaint and then fails in the middle of
            // ArrowRecordBatch's constructor, after it has retained the buffers before it.
            for (int i = 0; i < metadata.buffersLength(); i++) {
                Buffer buffer = metadata.buffers(i);
                if (buffer.offset() < 0 || buffer.length() < 0 || buffer.offset() > body.capacity() - buffer.length()) {
                    throw new IOException(where + ": buffer " + i + " (offset " + buffer.offset() + ", length "
                            + buffer.length() + ") lies outside the message body of " + body.capacity() + " bytes");
                }
            }
            // Releases the caller's reference to the body as its last step, once the batch has taken its own.
            return MessageSerializer.deserializeRecordBatch(metadata, body);
        } catch (IOException | RuntimeException e) {
            body.close();
            throw e;
        }
    }

    /** Loads the batch into the root (see the class comment) and closes the batch, whatever happens. */
    private static void load(VectorSchemaRoot root, ArrowRecordBatch batch) {
        try {
            byte codec = batch.getBodyCompression().getCodec();
            if (codec != CompressionUtil.CodecType.NO_COMPRESSION.getType()) {
                throw new IllegalArgumentException("compressed record batches ("
                        + CompressionUtil.CodecType.fromCompressionType(codec) + ") are not supported");
            }
            Iterator<ArrowFieldNode> nodes = batch.getNodes().iterator();
            Iterator<ArrowBuf> buffers = batch.getBuffers().iterator();
            for (FieldVector vector : root.getFieldVectors()) {
                ArrowFieldNode node = loadBuffers(vector, vector.getField().getName(), nodes, buffers);
                if (node.getLength() != batch.getLength()) {
                    throw new IllegalArgumentException("field " + vector.getField().getName() + " has "
                            + node.getLength() + " rows, but the record batch has " + batch.getLength());
                }
            }
            if (nodes.hasNext() || buffers.hasNext()) {
                throw new IllegalArgumentException("the record batch has more field nodes or buffers than the schema");
            }
            for (FieldVector vector : root.getFieldVectors()) {
                vector.validate();
                vector.accept(new DataValidation(), null);
            }
            root.setRowCount(batch.getLength());
        } finally {
            batch.close();
        }
    }

    private static ArrowFieldNode loadBuffers(FieldVector vector, String path, Iterator<ArrowFieldNode> nodes,
            Iterator<ArrowBuf> buffers) {
        if (!nodes.hasNext()) {
            throw new IllegalArgumentException("the record batch has no field node for field " + path);
        }
        ArrowFieldNode node = nodes.next();
        var type = vector.getField().getType();
        if (!TypeLayout.getTypeLayout(type).isFixedBufferCount()) {
            throw new IllegalArgumentException("field " + path + " has type " + type + ", which is not supported");
        }
        int count = TypeLayout.getTypeBufferCount(type);
        List<ArrowBuf> own = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (!buffers.hasNext()) {
                throw new IllegalArgumentException("the record batch has too few buffers for field " + path);
            }
            own.add(buffers.next());
        }
        vector.loadFieldBuffers(node, own);
        for (FieldVector child : vector.getChildrenFromFields()) {
            loadBuffers(child, path + "." + child.getField().getName(), nodes, buffers);
        }
        return node;
    }

    /**
     * Arrow's data validation (offsets in order and in range, recursively), except that a fixed-size list, which has
     * no offsets, only has its values validated: Arrow 19 asks it for its offset buffer and gets an
     * UnsupportedOperationException, so {@code validateFull} fails on every valid fixed-size list.
     */
    private static final class DataValidation extends ValidateVectorDataVisitor {
        @Override
        public Void visit(FixedSizeListVector vector, Void value) {
            return vector.getDataVector().accept(this, null);
        }
    }

    private static final class FileReader extends ArrowFileReader {
        private final Path file;
        private final FileChannel channel;
        private final SeekableReadChannel in;
        private int nextBlock;

        private FileReader(Path file, FileChannel channel, BufferAllocator allocator) {
            this(file, channel, new SeekableReadChannel(channel), allocator);
        }

        private FileReader(Path file, FileChannel channel, SeekableReadChannel in, BufferAllocator allocator) {
            super(in, allocator);
            this.file = file;
            this.channel = channel;
            this.in = in;
        }

        @Override
        protected Schema readSchema() throws IOException {
            Schema schema = super.readSchema();
            checkNoDictionary(file, schema);
            return schema;
        }

        @Override
        public boolean loadNextBatch() throws IOException {
            prepareLoadNextBatch();
            List<ArrowBlock> blocks = getRecordBlocks();
            if (nextBlock >= blocks.size()) {
                return false;
            }
            int index = nextBlock++;
            loadRecordBatch(readRecordBatch(blocks.get(index), "record batch " + index));
            return true;
        }

        @Override
        protected void loadRecordBatch(ArrowRecordBatch batch) {
            try {
                load(getVectorSchemaRoot(), batch);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public boolean loadRecordBatch(ArrowBlock block) {
            throw new UnsupportedOperationException("read the batches in order with loadNextBatch");
        }

        private ArrowRecordBatch readRecordBatch(ArrowBlock block, String where) throws IOException {
            long size = channel.size();
            long offset = block.getOffset();
            int metadataLength = block.getMetadataLength();
            long bodyLength = block.getBodyLength();
            if (offset < 0 || metadataLength < 8 || bodyLength < 0 || offset > size
                    || metadataLength > size - offset || bodyLength > size - offset - metadataLength) {
                throw new IOException(where + " (offset " + offset + ", metadata " + metadataLength + " bytes, body "
                        + bodyLength + " bytes) does not lie within the file's " + size + " bytes");
            }
            long length = metadataLength + bodyLength;
            ArrowBuf buffer = allocator.buffer(length);
            Message message;
            try {
                in.setPosition(offset);
                if (in.readFully(buffer, length) != length) {
                    throw new IOException(where + ": unexpected end of file");
                }
                int prefix = buffer.getInt(0) == CONTINUATION ? 8 : 4;
                ByteBuffer metadata = buffer.nioBuffer(prefix, metadataLength - prefix).asReadOnlyBuffer();
                message = Message.getRootAsMessage(metadata.order(ByteOrder.LITTLE_ENDIAN));
            } catch (IOException | RuntimeException e) {
                buffer.close();
                throw e;
            }
            // The slice shares the buffer's reference count: recordBatch releases the one reference on every path.
            return recordBatch(message, buffer.slice(metadataLength, bodyLength), where);
        }
    }

    private static final class StreamReader extends ArrowStreamReader {
        private final Path file;
        private final FileChannel channel;
        private final ReadChannel in;
        /** The number of the message being read, counting the schema message as 1, for error messages. */
        private int messageNumber;

        private StreamReader(Path file, FileChannel channel, BufferAllocator allocator) {
            this(file, channel, new ReadChannel(channel), allocator);
        }

        private StreamReader(Path file, FileChannel channel, ReadChannel in, BufferAllocator allocator) {
            // The parent's message reader only closes the channel and counts bytes; messages are read here.
            super(new MessageChannelReader(in, allocator), allocator);
            this.file = file;
            this.channel = channel;
            this.in = in;
        }

        @Override
        protected Schema readSchema() throws IOException {
            Message message = readMessage();
            if (message == null) {
                throw new IOException("the stream is empty: no schema message");
            }
            // A schema message has no body; any body a corrupt header declares is skipped, not allocated.
            skipBody(message);
            if (message.headerType() != MessageHeader.Schema) {
                throw new IOException("the first message is a " + headerName(message.headerType())
                        + " message, expected a schema");
            }
            Schema schema = MessageSerializer.deserializeSchema(message);
            MetadataV4UnionChecker.checkRead(schema, MetadataVersion.fromFlatbufID(message.version()));
            checkNoDictionary(file, schema);
            return schema;
        }

        @Override
        public boolean loadNextBatch() throws IOException {
            prepareLoadNextBatch();
            Message message = readMessage();
            if (message == null) {
                return false;
            }
            String where = "message " + messageNumber;
            if (message.headerType() != MessageHeader.RecordBatch) {
                skipBody(message);
                throw new IOException(where + " is a " + headerName(message.headerType())
                        + " message, expected a record batch");
            }
            long bodyLength = checkedBodyLength(message, where);
            ArrowBuf body = bodyLength == 0 ? allocator.getEmpty()
                    : MessageSerializer.readMessageBody(in, bodyLength, allocator);
            loadRecordBatch(recordBatch(message, body, where));
            return true;
        }

        @Override
        protected void loadRecordBatch(ArrowRecordBatch batch) {
            try {
                load(getVectorSchemaRoot(), batch);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        /** The next message's metadata, or null at the end of the stream (a zero length or the end of the file). */
        private Message readMessage() throws IOException {
            String where = "message " + (++messageNumber);
            ByteBuffer prefix = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            if (in.readFully(prefix) != 4) {
                return null;
            }
            int length = prefix.getInt(0);
            if (length == CONTINUATION) {
                prefix.clear();
                if (in.readFully(prefix) != 4) {
                    return null;
                }
                length = prefix.getInt(0);
            }
            if (length == 0) {
                return null;
            }
            long left = channel.size() - channel.position();
            if (length < 0 || length > left) {
                throw new IOException(where + " declares " + Integer.toUnsignedString(length)
                        + " bytes of metadata, but the file has " + left + " bytes left");
            }
            ByteBuffer metadata = ByteBuffer.allocate(length);
            if (in.readFully(metadata) != length) {
                throw new IOException(where + ": unexpected end of file");
            }
            metadata.rewind();
            return Message.getRootAsMessage(metadata);
        }

        private long checkedBodyLength(Message message, String where) throws IOException {
            long bodyLength = message.bodyLength();
            long left = channel.size() - channel.position();
            if (bodyLength < 0 || bodyLength > left) {
                throw new IOException(where + " declares a body of " + bodyLength + " bytes, but the file has "
                        + left + " bytes left");
            }
            return bodyLength;
        }

        private void skipBody(Message message) throws IOException {
            long bodyLength = checkedBodyLength(message, "message " + messageNumber);
            channel.position(channel.position() + bodyLength);
        }
    }
}
