package dev.lode.engine.importer.images;

import dev.lode.engine.FragmentEntry;
import dev.lode.engine.ImportRequest;
import dev.lode.engine.ImportResult;
import dev.lode.engine.Repository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An ImageFolder tree found by auto-detection and imported through the repository. */
class ImageFolderRepositoryImportTest {
    @TempDir
    Path folder;

    @Test
    void aFolderImportsAsOneRowPerImageAndAgainAsNothingNew() throws Exception {
        Path root = folder.resolve("train");
        for (String label : List.of("cat", "dog")) {
            Files.createDirectories(root.resolve(label));
            for (int i = 0; i < 30; i++) {
                Files.write(root.resolve(label).resolve(i + ".png"), ImageFolderImporterTest.encode("png", 8 + i, 5));
            }
        }
        try (Repository repository = Repository.init(folder.resolve("repo"))) {
            ImportResult first = repository.importFiles(ImportRequest.of("pets", List.of(root)));
            assertEquals("imagefolder", first.format());
            assertEquals(60, first.manifest().rows());
            long bytes = first.manifest().fragments().stream().mapToLong(FragmentEntry::bytes).sum();
            assertTrue(bytes > 0);
            ImportResult again = repository.importFiles(ImportRequest.of("pets", List.of(root)));
            assertEquals(first.manifestId(), again.manifestId());
            assertEquals(0, again.newObjects());
            assertTrue(repository.verify().ok());
        }
    }
}
