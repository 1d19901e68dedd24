package dev.lode.engine.importer.numpy;

import dev.lode.engine.ImportRequest;
import dev.lode.engine.ImportResult;
import dev.lode.engine.Repository;
import dev.lode.engine.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A .npy file found by auto-detection and imported through the repository, C and Fortran order alike. */
class NpyRepositoryImportTest {
    @TempDir
    Path folder;

    @Test
    void fortranAndCOrderImportToTheSameManifestWithATensorColumn() throws Exception {
        long[] shape = {1000, 3, 4, 4};
        Path c = folder.resolve("images.npy");
        Path fortran = Files.createDirectories(folder.resolve("f")).resolve("images.npy");
        Files.write(c, NpyWriter.array("|u1", false, shape, i -> i * 7L));
        Files.write(fortran, NpyWriter.array("|u1", true, shape, i -> i * 7L));
        try (Repository repository = Repository.init(folder.resolve("repo"))) {
            ImportResult one = repository.importFiles(ImportRequest.of("images", List.of(c)));
            ImportResult two = repository.importFiles(ImportRequest.of("images-f", List.of(fortran)));
            assertEquals("npy", one.format());
            assertEquals(1000, one.manifest().rows());
            assertEquals(one.manifestId(), two.manifestId(), "row i is sample i whatever the memory order");
            Json.JsonObject field = one.manifest().schema().getArray("fields").get(0).asObject();
            assertEquals("images", field.getString("name"));
            assertTrue(field.toString().contains("arrow.fixed_shape_tensor"), field.toString());
            assertTrue(field.toString().contains("[3,4,4]"), field.toString());
            assertTrue(repository.verify().ok());
        }
    }
}
