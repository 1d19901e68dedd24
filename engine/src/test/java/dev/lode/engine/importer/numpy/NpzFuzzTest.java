package dev.lode.engine.importer.numpy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.lode.engine.Fuzzing;
import dev.lode.engine.importer.ImportOptions;
import org.junit.jupiter.api.Timeout;

/** Fuzzes .npz import: the zip directory, member names (zip slip), declared against actual sizes (zip bombs). */
class NpzFuzzTest {
    @FuzzTest
    @Timeout(Fuzzing.TIMEOUT_SECONDS)
    void npzImport(byte[] input) throws Exception {
        Fuzzing.importBytes(new NpyImporter(), "input.npz", input, ImportOptions.none());
    }
}
