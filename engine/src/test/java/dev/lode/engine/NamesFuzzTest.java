package dev.lode.engine;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Fuzzes the parsers of revisions, names, ref paths and object ids. Besides the exception contract, a name that is
 * accepted must be safe as a file and key name: its ref path stays at a fixed depth inside refs/.
 */
class NamesFuzzTest {
    private static final Path ROOT = Path.of("/repository/.lode");

    @FuzzTest
    @Timeout(Fuzzing.TIMEOUT_SECONDS)
    void revisionAndNames(byte[] input) throws Exception {
        String text = new String(input, StandardCharsets.UTF_8);
        Fuzzing.expectOnlyLodeExceptions(() -> {
            Revision revision = Revision.parse(text);
            revision.couldBeHashPrefix();
            checkContained(RefName.branch(revision.dataset(), revision.rev()));
            checkContained(RefName.tag(revision.dataset(), revision.rev()));
        });
        Fuzzing.expectOnlyLodeExceptions(() -> ObjectId.parse(text));
        if (Names.problem(text) == null) {
            checkContained(RefName.branch(text, text));
        }
        RefName parsed = RefName.fromRelativePath(text);
        if (parsed != null) {
            checkContained(parsed);
        }
        Names.printable(text, 80);
    }

    private static void checkContained(RefName ref) {
        Path file = ROOT.resolve(ref.path()).normalize();
        if (!file.startsWith(ROOT.resolve("refs")) || file.getNameCount() != ROOT.getNameCount() + 4) {
            throw new AssertionError("Ref " + ref + " escapes refs/ or changes depth: " + file);
        }
        RefName back = RefName.fromRelativePath(ref.path().substring("refs/".length()));
        if (!ref.equals(back)) {
            throw new AssertionError("Ref path " + ref.path() + " reads back as " + back + ", not " + ref);
        }
    }
}
