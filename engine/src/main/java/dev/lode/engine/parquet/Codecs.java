package dev.lode.engine.parquet;

import com.github.luben.zstd.Zstd;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;

/**
 * Parquet codecs without Hadoop's codec classes: ZSTD (zstd-jni) for writing, and decompressors for UNCOMPRESSED,
 * SNAPPY, GZIP, ZSTD and LZ4_RAW so that files written by other tools can be read. Stateless and thread-safe.
 */
final class Codecs implements CompressionCodecFactory {
    /** Fixed so that the same pages always compress to the same bytes (with the pinned zstd-jni version). */
    static final int ZSTD_LEVEL = 3;
    static final Codecs INSTANCE = new Codecs();
    /**
     * The largest page we decompress. Writers cut pages at about 1 MiB (Lode, Arrow, Spark, DuckDB), so this only
     * refuses pages that declare absurd sizes, typically hostile files (decompression bombs).
     */
    static final int MAX_PAGE_BYTES = 256 << 20;

    private static final LZ4SafeDecompressor LZ4 = LZ4Factory.fastestInstance().safeDecompressor();

    private Codecs() {
    }

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        return switch (codec) {
            case ZSTD -> new Compressor(codec) {
                @Override
                public BytesInput compress(BytesInput bytes) throws IOException {
                    return BytesInput.from(Zstd.compress(bytes.toByteArray(), ZSTD_LEVEL));
                }
            };
            case UNCOMPRESSED -> new Compressor(codec) {
                @Override
                public BytesInput compress(BytesInput bytes) {
                    return bytes;
                }
            };
            default -> throw new UnsupportedOperationException("Lode writes only ZSTD Parquet pages, not " + codec);
        };
    }

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec, int level) {
        return getCompressor(codec);
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        return new Decompressor(codec);
    }

    @Override
    public void release() {
    }

    private abstract static class Compressor implements BytesInputCompressor {
        private final CompressionCodecName codec;

        Compressor(CompressionCodecName codec) {
            this.codec = codec;
        }

        @Override
        public CompressionCodecName getCodecName() {
            return codec;
        }

        @Override
        public void release() {
        }
    }

    private static final class Decompressor implements BytesInputDecompressor {
        private final CompressionCodecName codec;

        Decompressor(CompressionCodecName codec) {
            this.codec = codec;
        }

        @Override
        public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
            if (codec == CompressionCodecName.UNCOMPRESSED) {
                return bytes;
            }
            return BytesInput.from(decompress(bytes.toByteArray(), uncompressedSize));
        }

        @Override
        public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize)
                throws IOException {
            byte[] compressed = new byte[compressedSize];
            input.duplicate().get(compressed);
            byte[] result = codec == CompressionCodecName.UNCOMPRESSED ? compressed
                    : decompress(compressed, uncompressedSize);
            output.put(result, 0, uncompressedSize);
        }

        private byte[] decompress(byte[] input, int uncompressedSize) throws IOException {
            if (uncompressedSize < 0 || uncompressedSize > MAX_PAGE_BYTES) {
                // Checked before allocating: a few bytes of a hostile file must not make us allocate 2 GiB.
                throw new IOException(codec + " page declares " + uncompressedSize + " bytes uncompressed; the limit"
                        + " is " + MAX_PAGE_BYTES);
            }
            byte[] output = new byte[uncompressedSize];
            long size;
            switch (codec) {
                case ZSTD -> {
                    size = Zstd.decompressByteArray(output, 0, output.length, input, 0, input.length);
                    if (Zstd.isError(size)) {
                        throw new IOException("Corrupt ZSTD page: " + Zstd.getErrorName(size));
                    }
                }
                case SNAPPY -> {
                    if (!Snappy.isValidCompressedBuffer(input)
                            || Snappy.uncompressedLength(input) != uncompressedSize) {
                        throw new IOException("Corrupt SNAPPY page");
                    }
                    size = Snappy.uncompress(input, 0, input.length, output, 0);
                }
                case GZIP -> {
                    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(input))) {
                        size = in.readNBytes(output, 0, output.length);
                        if (in.read() != -1) {
                            throw new IOException("GZIP page decompresses to more than " + uncompressedSize + " bytes");
                        }
                    }
                }
                case LZ4_RAW -> {
                    try {
                        size = LZ4.decompress(input, 0, input.length, output, 0, output.length);
                    } catch (net.jpountz.lz4.LZ4Exception e) {
                        throw new IOException("Corrupt LZ4_RAW page: " + e.getMessage(), e);
                    }
                }
                default -> throw new IOException("Unsupported Parquet compression codec " + codec
                        + " (supported: UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW)");
            }
            if (size != uncompressedSize) {
                throw new IOException(codec + " page decompressed to " + size + " bytes, expected " + uncompressedSize);
            }
            return output;
        }

        @Override
        public void release() {
        }
    }
}
