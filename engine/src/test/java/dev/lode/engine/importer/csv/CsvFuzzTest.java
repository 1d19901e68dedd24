package dev.lode.engine.importer.csv;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.lode.engine.Fuzzing;
import dev.lode.engine.importer.ImportOptions;
import org.junit.jupiter.api.Timeout;

/** Fuzzes CSV import end to end: delimiter detection, record splitting, type inference, conversion. */
class CsvFuzzTest {
    @FuzzTest
    @Timeout(Fuzzing.TIMEOUT_SECONDS)
    void csvImport(byte[] input) throws Exception {
        Fuzzing.importBytes(new CsvImporter(), "input.csv", input, ImportOptions.none());
    }
}
