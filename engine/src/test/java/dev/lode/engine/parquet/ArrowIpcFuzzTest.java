package dev.lode.engine.parquet;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.lode.engine.Fuzzing;
import dev.lode.engine.importer.ImportOptions;
import org.junit.jupiter.api.Timeout;

/** Fuzzes the Arrow IPC import path (file and stream formats): messages, buffers, schema mapping. */
class ArrowIpcFuzzTest {
    @FuzzTest
    @Timeout(Fuzzing.TIMEOUT_SECONDS)
    void arrowImport(byte[] input) throws Exception {
        Fuzzing.importBytes(new ArrowIpcImporter(), "input.arrow", input, ImportOptions.none());
    }
}
