package dev.lode.engine.parquet;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.lode.engine.Fuzzing;
import dev.lode.engine.importer.ImportOptions;
import org.junit.jupiter.api.Timeout;

/** Fuzzes the Parquet import path: footer, schema mapping, pages, decompression, conversion to Arrow. */
class ParquetFuzzTest {
    @FuzzTest
    @Timeout(Fuzzing.TIMEOUT_SECONDS)
    void parquetImport(byte[] input) throws Exception {
        Fuzzing.importBytes(new ParquetImporter(), "input.parquet", input, ImportOptions.none());
    }
}
