package dev.lode.engine.parquet;

import com.github.luben.zstd.Zstd;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A page that declares a huge uncompressed size is refused before anything is allocated (decompression bombs). */
class DecompressionLimitTest {
    @Test
    void pagesDeclaringMoreThanTheLimitAreRefusedBeforeAllocating() throws IOException {
        byte[] compressed = Zstd.compress(new byte[1000], Codecs.ZSTD_LEVEL);
        var decompressor = Codecs.INSTANCE.getDecompressor(CompressionCodecName.ZSTD);
        assertEquals(1000, decompressor.decompress(BytesInput.from(compressed), 1000).toByteArray().length);
        IOException e = assertThrows(IOException.class,
                () -> decompressor.decompress(BytesInput.from(compressed), Integer.MAX_VALUE));
        assertEquals("ZSTD page declares 2147483647 bytes uncompressed; the limit is " + Codecs.MAX_PAGE_BYTES,
                e.getMessage());
        assertThrows(IOException.class, () -> Codecs.INSTANCE.getDecompressor(CompressionCodecName.GZIP)
                .decompress(BytesInput.from(compressed), -1));
    }
}
