package dev.lode.engine;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;

/**
 * Fuzzes the readers of manifests and commits, which parse objects fetched from untrusted remotes. Bad bytes must be
 * a {@link LodeException} naming the object; accepted objects must round-trip to the same canonical bytes' meaning.
 */
class ObjectsFuzzTest {
    private static final ObjectId ID = ObjectId.hashOf(new byte[0]);

    @FuzzTest
    @Timeout(Fuzzing.TIMEOUT_SECONDS)
    void manifest(byte[] input) throws Exception {
        Fuzzing.expectOnlyLodeExceptions(() -> {
            Manifest manifest = Manifest.parse(ID, input);
            Manifest again = Manifest.parse(ID, manifest.toBytes());
            if (!Arrays.equals(manifest.toBytes(), again.toBytes())) {
                throw new AssertionError("Manifest does not round-trip: " + manifest);
            }
        });
    }

    @FuzzTest
    @Timeout(Fuzzing.TIMEOUT_SECONDS)
    void commit(byte[] input) throws Exception {
        Fuzzing.expectOnlyLodeExceptions(() -> {
            Commit commit = Commit.parse(ID, input);
            Commit again = Commit.parse(ID, commit.toBytes());
            if (!Arrays.equals(commit.toBytes(), again.toBytes())) {
                throw new AssertionError("Commit does not round-trip: " + commit);
            }
        });
    }
}
