package dev.lode.engine;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NamesAndRevisionsTest {
    @Test
    void validNames() {
        for (String name : List.of("cifar10", "vision/imagenet", "a", "release-2026.11_final", "données",
                "x".repeat(200))) {
            assertNull(Names.problem(name), name);
        }
    }

    @Test
    void invalidNamesSayWhy() {
        assertEquals("Invalid dataset name '': it is empty",
                assertThrows(LodeException.class, () -> Names.check("dataset", "")).getMessage());
        assertEquals("Invalid dataset name 'a..b': it contains '..'",
                assertThrows(LodeException.class, () -> Names.check("dataset", "a..b")).getMessage());
        assertEquals("Invalid branch name '/main': it starts or ends with '/'",
                assertThrows(LodeException.class, () -> Names.check("branch", "/main")).getMessage());
        assertEquals("Invalid tag name 'v1/': it starts or ends with '/'",
                assertThrows(LodeException.class, () -> Names.check("tag", "v1/")).getMessage());
        assertEquals("Invalid dataset name 'a\\u0007b': it contains a control character at position 1",
                assertThrows(LodeException.class, () -> Names.check("dataset", "a\u0007b")).getMessage());
        assertTrue(assertThrows(LodeException.class, () -> Names.check("dataset", "é".repeat(101)))
                .getMessage().endsWith("it is 202 bytes long, the limit is 200"));
        for (String bad : List.of("a b", "a@b", "a:b", "a//b", ".hidden", "x/.y", "a.lock", "a%2Fb", "a\\b",
                "a\nb", "a*")) {
            assertThrows(LodeException.class, () -> Names.check("dataset", bad), bad);
        }
    }

    @Test
    void revisionDefaultsToMain() {
        assertEquals(new Revision("cifar", "main"), Revision.parse("cifar"));
        assertEquals(new Revision("vision/coco", "v2"), Revision.parse("vision/coco@v2"));
        assertTrue(Revision.parse("cifar@0123abcd").couldBeHashPrefix());
        assertFalse(Revision.parse("cifar@0123abc").couldBeHashPrefix());
        assertFalse(Revision.parse("cifar@0123ABCD").couldBeHashPrefix());
    }

    @Test
    void badRevisionsNameTheInput() {
        assertEquals("Invalid revision 'cifar@': nothing after '@'",
                assertThrows(LodeException.class, () -> Revision.parse("cifar@")).getMessage());
        assertEquals("Invalid revision '@v1': dataset name it is empty",
                assertThrows(LodeException.class, () -> Revision.parse("@v1")).getMessage());
        assertEquals("Invalid revision 'a@b@c': more than one '@'",
                assertThrows(LodeException.class, () -> Revision.parse("a@b@c")).getMessage());
        assertEquals("Invalid revision 'a@..': it contains '..'",
                assertThrows(LodeException.class, () -> Revision.parse("a@..")).getMessage());
    }

    @Test
    void refPathsEncodeSlashesSoEveryRefIsOneFile() {
        RefName name = RefName.branch("vision/coco", "feature/x");
        assertEquals("refs/vision%2Fcoco/heads/feature%2Fx", name.path());
        assertEquals(name, RefName.fromRelativePath("vision%2Fcoco/heads/feature%2Fx"));
        assertNull(RefName.fromRelativePath("a/other/b"));
        assertNull(RefName.fromRelativePath("a/heads/b/c"));
    }

    @Test
    void objectIdsAreStrict() {
        String hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assertEquals(hex, ObjectId.parse(hex).hex());
        for (String bad : List.of(hex.toUpperCase(), hex.substring(1), hex + "0", "../" + hex.substring(3),
                hex.replace('e', 'g'))) {
            LodeException e = assertThrows(LodeException.class, () -> ObjectId.parse(bad));
            assertTrue(e.getMessage().contains("expected 64 lowercase hexadecimal digits"), e.getMessage());
        }
    }
}
