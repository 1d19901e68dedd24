package dev.lode.engine.json;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;

/**
 * Fuzzes the engine's JSON reader, which reads every manifest, commit, ref log entry and config. Bad text must be a
 * {@link JsonException}; text it accepts must re-encode canonically: parse(encode(v)) encodes to the same bytes.
 */
class JsonFuzzTest {
    @FuzzTest
    @Timeout(10)
    void parse(byte[] input) {
        Json value;
        try {
            value = Json.parse(input);
        } catch (JsonException documented) {
            if (documented.getMessage() == null || documented.getMessage().isBlank()) {
                throw new AssertionError("JsonException without a message", documented);
            }
            return;
        }
        byte[] canonical = value.toBytes();
        byte[] again = Json.parse(canonical).toBytes();
        if (!Arrays.equals(canonical, again)) {
            throw new AssertionError("Canonical JSON is not stable: " + value + " re-encodes as "
                    + new String(again, java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
