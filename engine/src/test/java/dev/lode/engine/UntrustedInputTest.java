package dev.lode.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The security pass (docs/SECURITY.md): hostile names, ref files, object sizes and remotes are refused cleanly. */
class UntrustedInputTest {
    @TempDir
    Path folder;

    @Test
    void namesThatCouldEscapeOrDeceiveAreRefusedWithTheReason() {
        String[][] cases = {
                {"../etc", "it contains '..'"},
                {"a/../../b", "it contains '..'"},
                {"..", "it contains '..'"},
                {"/etc/passwd", "it starts or ends with '/'"},
                {"a//b", "it contains '//'"},
                {"a\\b", "it contains '\\', which names may not contain"},
                {"C:x", "it contains ':', which names may not contain"},
                {"a%2Fb", "it contains '%', which names may not contain"},
                {".git", "a part starts with '.'"},
                {"a/.hidden", "a part starts with '.'"},
                {"main.lock", "a part ends with '.lock'"},
                {"a\u0000b", "it contains a control character at position 1"},
                {"a\nb", "it contains a control character at position 1"},
                {"a\u0085b", "it contains a control character at position 1"},
                {"a b", "it contains white space at position 1"},
                {"a\u2028b", "it contains white space at position 1"},
                {"ab\u202Egnp.exe", "it contains an invisible formatting character U+202E at position 2"},
                {"a\u200Bb", "it contains an invisible formatting character U+200B at position 1"},
                {"x".repeat(201), "it is 201 bytes long, the limit is 200"},
                {"\uD800x", "it contains an unpaired surrogate at position 0"},
        };
        for (String[] bad : cases) {
            assertEquals(bad[1], Names.problem(bad[0]), Names.printable(bad[0], 40));
            LodeException e = assertThrows(LodeException.class, () -> RefName.tag("d", bad[0]));
            assertTrue(e.getMessage().startsWith("Invalid tag name '"), e.getMessage());
            assertThrows(LodeException.class, () -> RefName.branch(bad[0], "main"));
            assertThrows(LodeException.class, () -> Revision.parse(bad[0]));
        }
        // Accepted names with '/' stay one file at a fixed depth under refs/.
        RefName nested = RefName.tag("team/vision/coco", "release/2026/v1");
        assertEquals("refs/team%2Fvision%2Fcoco/tags/release%2F2026%2Fv1", nested.path());
        assertEquals(nested, RefName.fromRelativePath("team%2Fvision%2Fcoco/tags/release%2F2026%2Fv1"));
        assertNull(RefName.fromRelativePath("d/heads/.."));
        assertNull(RefName.fromRelativePath("../heads/main"));
        assertNull(RefName.fromRelativePath("d/heads/a%2F..%2Fb"));
    }

    @Test
    void aBadNameLeavesNoFileBehind() throws IOException {
        Path root = folder.resolve("r");
        try (Repository repository = Repository.init(root)) {
            ObjectId commit = repository.importFiles(ImportRequest.of("d",
                    List.of(TestData.csv(folder.resolve("d.csv"), 1, 10)))).outcome().commit();
            LodeException e = assertThrows(LodeException.class,
                    () -> repository.tag(RefName.tag("d", "../../../escaped"), commit, "t", "tag"));
            assertEquals("Invalid tag name '../../../escaped': it contains '..'", e.getMessage());
        }
        assertFalse(Files.exists(folder.resolve("escaped")));
        try (var walk = Files.walk(folder)) {
            assertTrue(walk.noneMatch(path -> path.getFileName().toString().contains("escaped")));
        }
    }

    @Test
    void aParquetFileDeclaringGigabyteRowsIsRefusedByTheImportAllocator() throws IOException {
        // ParquetFuzzTest's finding: a fixed-size type so wide that one batch would ask Arrow for ~9 GB. A real
        // import (not the fuzz harness's capped allocator) must refuse it too: ArrowMemory bounds every import.
        Path source = folder.resolve("wide.parquet");
        try (var in = UntrustedInputTest.class.getResourceAsStream(
                "parquet/ParquetFuzzTestInputs/parquetImport/finding-fixed-width-over-allocator-limit")) {
            Files.write(source, in.readAllBytes());
        }
        assertTrue(ArrowMemory.LIMIT <= 8L << 30, "limit " + ArrowMemory.LIMIT);
        try (Repository repository = Repository.init(folder.resolve("r"))) {
            LodeException e = assertThrows(LodeException.class, () -> repository.importFiles(
                    ImportRequest.of("d", List.of(source)).withFormat("parquet")));
            assertTrue(e.getMessage().contains("wide.parquet"), e.getMessage());
            List<Object> refs = new java.util.ArrayList<>();
            repository.refs().list(refs::add);
            assertEquals(List.of(), refs, "no ref");
            assertTrue(repository.verify().ok());
        }
    }

    @Test
    void aHugeRefFileIsRefusedWithoutBeingRead() throws IOException {
        Path root = folder.resolve("refs-root");
        LocalRefStore refs = new LocalRefStore(root);
        RefName main = RefName.branch("d", "main");
        Path file = root.resolve(main.path());
        Files.createDirectories(file.getParent());
        try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
            sparse.setLength(8L << 30); // 8 GiB, sparse: reading it whole would exhaust the heap
        }
        LodeException e = assertThrows(LodeException.class, () -> refs.read(main));
        assertEquals("Corrupt ref file " + file + ": expected 64 hexadecimal digits and a newline", e.getMessage());
        Files.writeString(file, "0".repeat(64) + "\n" + "x", StandardCharsets.US_ASCII);
        assertThrows(LodeException.class, () -> refs.read(main));
        Files.writeString(file, "0".repeat(64) + "\n", StandardCharsets.US_ASCII);
        assertEquals(Optional.of(ObjectId.parse("0".repeat(64))), refs.read(main));
    }

    @Test
    void copiesStopAtTheLimitAndLeaveNothingBehind() throws IOException {
        ObjectDatabase objects = new ObjectDatabase(Stores.memoryObjects(), folder.resolve("staging"));
        ObjectId id = objects.put(new byte[1000]);
        Path target = folder.resolve("copy");
        LodeException e = assertThrows(LodeException.class, () -> objects.copyTo(id, target, 999));
        assertTrue(e.getMessage().startsWith("Object " + id + " in "), e.getMessage());
        assertTrue(e.getMessage().endsWith(" is larger than the limit of 999 bytes for its kind; stopped copying it"),
                e.getMessage());
        assertFalse(Files.exists(target));
        try (var files = Files.list(folder)) {
            assertTrue(files.noneMatch(path -> path.getFileName().toString().endsWith(".partial")));
        }
        objects.copyTo(id, target, 1000);
        assertEquals(1000, Files.size(target));
        assertThrows(LodeException.class, () -> objects.read(id, 999));
    }

    @Test
    void aPullRefusesAFragmentWhoseSizeDiffersFromItsManifest() throws IOException {
        try (Repository remote = Repository.over(Stores.memoryObjects(), Stores.memoryRefs(),
                Files.createDirectories(folder.resolve("remote-staging")));
             Repository local = Repository.init(folder.resolve("local"))) {
            byte[] bytes = "a fragment that is longer than its manifest says".getBytes(StandardCharsets.UTF_8);
            ObjectId fragment = remote.objects().put(bytes);
            Manifest manifest = new Manifest(dev.lode.engine.json.Json.object().put("fields",
                    dev.lode.engine.json.Json.array(List.of())).build(),
                    List.of(new FragmentEntry(fragment, 1, 10, dev.lode.engine.json.Json.object().build())), 1, 1);
            ObjectId manifestId = remote.objects().put(manifest.toBytes());
            ObjectId commit = remote.commit(RefName.branch("d", "main"), current -> Optional.of(new Commit("d",
                    manifestId, List.of(), "hostile", java.time.Instant.parse("2026-11-23T00:00:00Z"), "m",
                    Optional.empty())), "forge").commit();

            Transfers pull = new Transfers(remote, local, 2, n -> { });
            LodeException e = assertThrows(LodeException.class,
                    () -> pull.pull(Revision.parse("d@main"), false, "t", "pull"));
            assertTrue(e.getMessage().contains("Object " + fragment + " in "), e.getMessage());
            assertTrue(e.getMessage().contains("is larger than the limit of 10 bytes"), e.getMessage());
            assertFalse(local.objects().store().contains(fragment), "no object of the refused pull is visible");
            assertFalse(local.objects().store().contains(commit));
            assertEquals(Optional.empty(), local.refs().read(RefName.branch("d", "main")), "refs unchanged");
        }
    }
}
