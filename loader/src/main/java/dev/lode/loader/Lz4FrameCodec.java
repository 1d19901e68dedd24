package dev.lode.loader;

import dev.lode.engine.LodeException;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.compression.AbstractCompressionCodec;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.compression.NoCompressionCodec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Arrow IPC body compression LZ4_FRAME over lz4-java (at.yawk), so the cache needs neither arrow-compression nor
 * commons-compress. A compressed buffer is its uncompressed length (int64, little-endian) and one LZ4 frame, as the
 * Arrow format specifies; buffers are compressed through a byte array, so each must be under 2 GiB.
 */
final class Lz4FrameCodec extends AbstractCompressionCodec {
    private static final int CHUNK = 1 << 16;
    private static final long MAX_BUFFER = Integer.MAX_VALUE - 1024;

    static final CompressionCodec.Factory FACTORY = new CompressionCodec.Factory() {
        @Override
        public CompressionCodec createCodec(CompressionUtil.CodecType codecType) {
            return switch (codecType) {
                case LZ4_FRAME -> new Lz4FrameCodec();
                case NO_COMPRESSION -> NoCompressionCodec.INSTANCE;
                default -> throw new LodeException("The fragment cache does not support " + codecType);
            };
        }

        @Override
        public CompressionCodec createCodec(CompressionUtil.CodecType codecType, int compressionLevel) {
            return createCodec(codecType);
        }
    };

    @Override
    protected ArrowBuf doCompress(BufferAllocator allocator, ArrowBuf uncompressed) {
        long length = uncompressed.writerIndex();
        if (length > MAX_BUFFER) {
            throw new LodeException("Cannot LZ4-compress a cache buffer of " + length + " bytes: the limit is 2 GiB"
                    + " per column and fragment; leave cache compression off for fragments this large");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Math.min(length / 2 + 64, MAX_BUFFER));
        try (LZ4FrameOutputStream out = new LZ4FrameOutputStream(bytes)) {
            byte[] chunk = new byte[CHUNK];
            for (long at = 0; at < length; ) {
                int n = (int) Math.min(CHUNK, length - at);
                uncompressed.getBytes(at, chunk, 0, n);
                out.write(chunk, 0, n);
                at += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot LZ4-compress a cache buffer", e);
        }
        byte[] compressed = bytes.toByteArray();
        ArrowBuf result = allocator.buffer(CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH + compressed.length);
        result.setBytes(CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH, compressed);
        result.writerIndex(CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH + compressed.length);
        return result;
    }

    @Override
    protected ArrowBuf doDecompress(BufferAllocator allocator, ArrowBuf compressed) {
        long length = readUncompressedLength(compressed);
        long compressedLength = compressed.writerIndex() - CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH;
        if (compressedLength > MAX_BUFFER || length > MAX_BUFFER) {
            throw new LodeException("Cannot LZ4-decompress a buffer of " + length + " bytes: the limit is 2 GiB");
        }
        byte[] input = new byte[(int) compressedLength];
        compressed.getBytes(CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH, input);
        ArrowBuf result = allocator.buffer(length);
        try (InputStream in = new LZ4FrameInputStream(new ByteArrayInputStream(input))) {
            byte[] chunk = new byte[CHUNK];
            long at = 0;
            int n;
            while ((n = in.read(chunk)) > 0) {
                if (at + n > length) {
                    throw new LodeException("LZ4 frame holds more than the " + length + " bytes its header says");
                }
                result.setBytes(at, chunk, 0, n);
                at += n;
            }
            if (at != length) {
                throw new LodeException("LZ4 frame holds " + at + " bytes, its header says " + length);
            }
        } catch (IOException | RuntimeException e) {
            result.close();
            if (e instanceof LodeException lode) {
                throw lode;
            }
            throw new LodeException("Cannot LZ4-decompress a buffer: " + e.getMessage(), e);
        }
        result.writerIndex(length);
        return result;
    }

    @Override
    public CompressionUtil.CodecType getCodecType() {
        return CompressionUtil.CodecType.LZ4_FRAME;
    }
}
