package dev.lode.engine;

import dev.lode.engine.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Repository behaviour on a real local folder, with commits built from synthetic fragments. */
public class RepositoryTest {
    @TempDir
    Path folder;

    /** Stores fake fragment objects, a manifest over them, and commits it on the branch. */
    public static ObjectId commitFragments(Repository repository, String dataset, String branch, String... contents)
            throws IOException {
        List<FragmentEntry> fragments = new ArrayList<>();
        for (String content : contents) {
            byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
            ObjectId id = repository.objects().put(bytes);
            fragments.add(new FragmentEntry(id, 1, bytes.length, Json.object().build()));
        }
        Manifest manifest = new Manifest(Json.object().put("fields", Json.array(List.of())).build(), fragments,
                contents.length, 256);
        ObjectId manifestId = repository.objects().put(manifest.toBytes());
        return repository.commit(RefName.branch(dataset, branch), head -> Optional.of(new Commit(dataset, manifestId,
                head.map(List::of).orElse(List.of()), "tester", Instant.parse("2026-11-23T00:00:00Z"),
                "commit " + String.join(",", contents), Optional.empty())), "test").commit();
    }

    @Test
    void initCreatesTheDocumentedLayout() throws IOException {
        try (Repository repository = Repository.init(folder)) {
            for (String sub : List.of("config.json", "objects", "refs", "logs", "tmp")) {
                assertTrue(Files.exists(folder.resolve(".lode").resolve(sub)), sub);
            }
        }
        LodeException again = assertThrows(LodeException.class, () -> Repository.init(folder));
        assertTrue(again.getMessage().startsWith("A Lode repository already exists"), again.getMessage());
        assertEquals(Optional.of(folder.resolve(".lode").toAbsolutePath()),
                Repository.find(folder.resolve("some/sub/dir")).map(Path::toAbsolutePath));
        LodeException missing = assertThrows(LodeException.class, () -> Repository.open(folder.resolve("nowhere")));
        assertTrue(missing.getMessage().startsWith("Not a Lode repository"), missing.getMessage());
    }

    @Test
    void resolveFindsBranchesTagsAndPrefixes() throws IOException {
        try (Repository repository = Repository.init(folder)) {
            ObjectId first = commitFragments(repository, "cifar", "main", "a");
            repository.tag(RefName.tag("cifar", "v1"), first, "tester", "tag");
            ObjectId second = commitFragments(repository, "cifar", "main", "a", "b");
            assertEquals(second, repository.resolve(Revision.parse("cifar")).commitId());
            assertEquals(first, repository.resolve(Revision.parse("cifar@v1")).commitId());
            assertEquals(first, repository.resolve(Revision.parse("cifar@" + first.hex().substring(0, 8))).commitId());
            assertEquals(first, repository.resolve(Revision.parse("cifar@" + first.hex())).commitId());
            assertEquals(List.of(second, first), repository.history(second, 10).stream()
                    .map(Repository.LogEntry::id).toList());

            LodeException unknown = assertThrows(LodeException.class,
                    () -> repository.resolve(Revision.parse("cifar@v9")));
            assertEquals("Unknown revision cifar@v9: dataset cifar has no branch, tag or commit matching 'v9'",
                    unknown.getMessage());
            LodeException noDataset = assertThrows(LodeException.class,
                    () -> repository.resolve(Revision.parse("mnist")));
            assertEquals("Unknown dataset 'mnist' in revision mnist@main: known datasets are cifar",
                    noDataset.getMessage());
            LodeException shortPrefix = assertThrows(LodeException.class,
                    () -> repository.resolve(Revision.parse("cifar@" + first.hex().substring(0, 6))));
            assertTrue(shortPrefix.getMessage().contains("at least 8 digits"), shortPrefix.getMessage());

            String prefix = first.hex().substring(0, 8);
            repository.createBranch(RefName.branch("cifar", prefix), second, "tester", "branch");
            LodeException ambiguous = assertThrows(LodeException.class,
                    () -> repository.resolve(Revision.parse("cifar@" + prefix)));
            assertTrue(ambiguous.getMessage().startsWith("Ambiguous revision cifar@" + prefix + ": it matches branch "
                    + prefix + ", commit " + first.abbreviated()), ambiguous.getMessage());
        }
    }

    @Test
    void tagsAreImmutable() throws IOException {
        try (Repository repository = Repository.init(folder)) {
            ObjectId first = commitFragments(repository, "cifar", "main", "a");
            ObjectId second = commitFragments(repository, "cifar", "main", "b");
            RefName v1 = RefName.tag("cifar", "v1");
            assertEquals(CasResult.SUCCESS, repository.tag(v1, first, "tester", "tag"));
            assertEquals(CasResult.NO_CHANGE, repository.tag(v1, first, "tester", "tag"));
            LodeException moved = assertThrows(LodeException.class, () -> repository.tag(v1, second, "t", "tag"));
            assertTrue(moved.getMessage().contains("tags are immutable"), moved.getMessage());
            assertEquals(Optional.of(first), repository.refs().read(v1));
        }
    }

    @Test
    void refLogRecordsEveryMove() throws IOException {
        try (Repository repository = Repository.init(folder)) {
            ObjectId first = commitFragments(repository, "cifar", "main", "a");
            ObjectId second = commitFragments(repository, "cifar", "main", "b");
            List<RefLogEntry> log = repository.refs().log(RefName.branch("cifar", "main"));
            assertEquals(2, log.size());
            assertEquals(Optional.empty(), log.get(0).oldTarget());
            assertEquals(Optional.of(first), log.get(0).newTarget());
            assertEquals(Optional.of(first), log.get(1).oldTarget());
            assertEquals(Optional.of(second), log.get(1).newTarget());
            assertEquals("tester", log.get(1).user());
            assertEquals("test", log.get(1).command());
        }
    }

    @Test
    void verifyFindsCorruptAndMissingObjects() throws IOException {
        try (Repository repository = Repository.init(folder)) {
            commitFragments(repository, "cifar", "main", "fragment one", "fragment two");
            assertTrue(repository.verify().ok(), repository.verify().problems().toString());
            ObjectId two = ObjectId.hashOf("fragment two".getBytes(StandardCharsets.UTF_8));
            Path file = objectFile(two);
            Files.delete(file);
            Files.writeString(file, "fragment 2");
            Repository.VerifyReport corrupt = repository.verify();
            assertFalse(corrupt.ok());
            assertTrue(corrupt.problems().contains("object " + two + " does not hash to its name"),
                    corrupt.problems().toString());
            Files.delete(file);
            Repository.VerifyReport missing = repository.verify();
            assertTrue(missing.problems().getFirst().contains("missing fragment " + two), missing.problems().toString());
        }
    }

    @Test
    void gcKeepsReachableAndYoungObjectsAndDeletesOldGarbage() throws IOException {
        try (Repository repository = Repository.init(folder)) {
            ObjectId kept = commitFragments(repository, "cifar", "main", "kept");
            ObjectId oldGarbage = repository.objects().put("old garbage".getBytes(StandardCharsets.UTF_8));
            ObjectId youngGarbage = repository.objects().put("young garbage".getBytes(StandardCharsets.UTF_8));
            ObjectId keptFragment = ObjectId.hashOf("kept".getBytes(StandardCharsets.UTF_8));
            FileTime longAgo = FileTime.from(Instant.now().minus(Duration.ofDays(3)));
            for (ObjectId id : List.of(oldGarbage, keptFragment, kept)) {
                Files.setLastModifiedTime(objectFile(id), longAgo);
            }

            Repository.GcReport dry = repository.gc(Duration.ofDays(30), Duration.ofHours(2), true);
            assertEquals(1, dry.deleted());
            assertTrue(repository.objects().store().contains(oldGarbage), "dry run deletes nothing");

            Repository.GcReport report = repository.gc(Duration.ofDays(30), Duration.ofHours(2), false);
            assertEquals(1, report.deleted());
            assertEquals(1, report.keptYoung());
            assertFalse(repository.objects().store().contains(oldGarbage));
            assertTrue(repository.objects().store().contains(youngGarbage), "younger than the grace period");
            assertTrue(repository.objects().store().contains(keptFragment), "reachable, however old");
            assertTrue(repository.verify().ok());
        }
    }

    @Test
    void gcKeepsCommitsOfRecentRefLogEntriesAfterTheBranchMovedOn() throws IOException {
        try (Repository repository = Repository.init(folder)) {
            ObjectId first = commitFragments(repository, "cifar", "side", "only in first");
            repository.deleteBranch(RefName.branch("cifar", "side"), "tester", "test");
            commitFragments(repository, "cifar", "main", "other");
            ObjectId fragment = ObjectId.hashOf("only in first".getBytes(StandardCharsets.UTF_8));
            FileTime longAgo = FileTime.from(Instant.now().minus(Duration.ofDays(3)));
            List<ObjectInfo> all = new ArrayList<>();
            repository.objects().store().list(all::add);
            for (ObjectInfo info : all) {
                Files.setLastModifiedTime(objectFile(info.id()), longAgo);
            }
            repository.gc(Duration.ofDays(30), Duration.ofHours(2), false);
            assertTrue(repository.objects().store().contains(first), "kept by the deleted branch's recent log");
            assertTrue(repository.objects().store().contains(fragment));
            repository.gc(Duration.ZERO, Duration.ofHours(2), false);
            assertFalse(repository.objects().store().contains(fragment), "collected once the log entry expired");
        }
    }

    @Test
    void reusingAnOldObjectProtectsItFromGc() throws IOException {
        try (Repository repository = Repository.init(folder)) {
            ObjectId id = repository.objects().put("reused".getBytes(StandardCharsets.UTF_8));
            Files.setLastModifiedTime(objectFile(id), FileTime.from(Instant.now().minus(Duration.ofDays(3))));
            repository.objects().put("reused".getBytes(StandardCharsets.UTF_8));
            assertEquals(0, repository.gc(Duration.ofDays(30), Duration.ofHours(2), false).deleted());
            assertTrue(repository.objects().store().contains(id));
        }
    }

    @Test
    void gcRefusesToDeleteWhenARefIsBroken() throws IOException {
        try (Repository repository = Repository.init(folder)) {
            ObjectId commit = commitFragments(repository, "cifar", "main", "x");
            ObjectId garbage = repository.objects().put("garbage".getBytes(StandardCharsets.UTF_8));
            Files.setLastModifiedTime(objectFile(garbage), FileTime.from(Instant.now().minus(Duration.ofDays(3))));
            Files.delete(objectFile(repository.readCommit(commit).manifest()));
            LodeException e = assertThrows(LodeException.class,
                    () -> repository.gc(Duration.ofDays(30), Duration.ofHours(2), false));
            assertTrue(e.getMessage().startsWith("gc stopped without deleting anything"), e.getMessage());
            assertTrue(repository.objects().store().contains(garbage));
        }
    }

    private Path objectFile(ObjectId id) {
        return folder.resolve(".lode/objects").resolve(id.hex().substring(0, 2)).resolve(id.hex().substring(2));
    }
}
