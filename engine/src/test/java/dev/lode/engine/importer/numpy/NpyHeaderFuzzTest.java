package dev.lode.engine.importer.numpy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.lode.engine.Fuzzing;
import dev.lode.engine.importer.ImportOptions;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;

/**
 * Fuzzes the .npy header parser on its own (magic, version, length, the Python dict), then the whole .npy import
 * of the same bytes, so header values that parse but make no sense (shapes, sizes) reach the reader.
 */
class NpyHeaderFuzzTest {
    @FuzzTest
    @Timeout(Fuzzing.TIMEOUT_SECONDS)
    void npyHeader(byte[] input) throws Exception {
        Fuzzing.expectOnlyLodeExceptions(() -> {
            NpyHeader header = NpyHeader.read(new ByteArrayInputStream(input), new Origin(Path.of("input.npy"), null));
            if (header.dataOffset() > input.length && header.dataOffset() > (1 << 20) + 16) {
                throw new AssertionError("Data offset " + header.dataOffset() + " lies beyond the header limit");
            }
        });
        Fuzzing.importBytes(new NpyImporter(), "input.npy", input, ImportOptions.none());
    }
}
