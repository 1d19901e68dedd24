package dev.lode.engine.importer.json;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.lode.engine.Fuzzing;
import dev.lode.engine.importer.ImportOptions;
import org.junit.jupiter.api.Timeout;

/** Fuzzes JSON Lines import end to end: line splitting, value parsing, schema inference, conversion. */
class JsonLinesFuzzTest {
    @FuzzTest
    @Timeout(Fuzzing.TIMEOUT_SECONDS)
    void jsonLinesImport(byte[] input) throws Exception {
        Fuzzing.importBytes(new JsonImporter(), "input.jsonl", input, ImportOptions.none());
    }
}
