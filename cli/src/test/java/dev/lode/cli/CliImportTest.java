package dev.lode.cli;

import dev.lode.engine.TestData;
import dev.lode.engine.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The commands of the main job, through the command line, on a real repository and real files. */
class CliImportTest {
    @TempDir
    Path folder;

    private Json.JsonObject json(String... args) {
        CliRunner.Result result = CliRunner.run(args);
        assertEquals(0, result.exitCode(), String.join(" ", args) + ": " + result.err());
        assertEquals("", result.err(), "nothing on stderr when not on a terminal");
        return Json.parse(result.out().trim()).asObject();
    }

    @Test
    void importTagAppendLogDiffShowExportVerifyGc() throws Exception {
        String repo = folder.resolve("repo").toString();
        Path csv = TestData.csv(folder.resolve("train.csv"), 11, 30_000);
        assertEquals(0, CliRunner.run("init", repo).exitCode());

        var first = json("import", "--repo", repo, "cifar", csv.toString(), "-m", "first", "--json");
        assertEquals("created", first.getString("status"));
        assertEquals(30_000, first.getLong("rows"));
        assertEquals("csv", first.getString("format"));
        json("tag", "--repo", repo, "cifar", "v1", "--json");

        TestData.csv(csv, 11, 31_000);
        var second = json("import", "--repo", repo, "cifar", csv.toString(), "--json");
        assertEquals("created", second.getString("status"));
        var again = json("import", "--repo", repo, "cifar", csv.toString(), "--json");
        assertEquals("up-to-date", again.getString("status"));
        assertEquals(0, again.getLong("newObjects"));
        assertTrue(again.find("conversionCached").orElseThrow().asBoolean());

        var log = json("log", "--repo", repo, "cifar", "--json");
        assertEquals(2, log.getArray("entries").size());
        assertEquals(second.getString("commit"), log.getArray("entries").get(0).asObject().getString("commit"));

        var show = json("show", "--repo", repo, "cifar@v1", "--json");
        for (String key : List.of("commit", "manifest", "rows", "fragments", "schema", "lineage", "author", "time")) {
            assertTrue(show.find(key).isPresent(), key + " in " + show.members().keySet());
        }
        assertEquals(first.getString("commit"), show.getString("commit"));
        assertEquals(30_000, show.getLong("rows"));
        assertEquals("id", show.getObject("schema").getArray("fields").get(0).asObject().getString("name"));

        var diff = json("diff", "--repo", repo, "cifar@v1", "main", "--json");
        assertEquals(30_000, diff.getLong("rowsFrom"));
        assertEquals(31_000, diff.getLong("rowsTo"));
        assertTrue(diff.getLong("fragmentsShared") >= 1);
        assertEquals(0, diff.getArray("schemaChanges").size());

        Path out = folder.resolve("export");
        var export = json("export", "--repo", repo, "cifar@v1", "--to", out.toString(), "--format", "csv", "--json");
        assertEquals(30_000, export.getLong("rows"));
        assertEquals(30_001, Files.readAllLines(out.resolve("data.csv")).size(), "header and every row");

        var verify = json("verify", "--repo", repo, "--json");
        assertTrue(verify.find("ok").orElseThrow().asBoolean());
        var gc = json("gc", "--repo", repo, "--dry-run", "--json");
        assertEquals(0, gc.getLong("deleted"), "everything is reachable or young");

        var check = json("import", "--repo", repo, "cifar", csv.toString(), "--verify-against", "main", "--json");
        assertTrue(check.find("identical").orElseThrow().asBoolean());
    }

    @Test
    void badInputExitsOneWithOneLineAndChangesNothing() throws Exception {
        String repo = folder.resolve("repo").toString();
        assertEquals(0, CliRunner.run("init", repo).exitCode());
        Path good = TestData.csv(folder.resolve("good.csv"), 12, 100);
        var first = json("import", "--repo", repo, "d", good.toString(), "--json");
        Path bad = folder.resolve("bad.csv");
        Files.writeString(bad, "a,b\n1,\"unterminated\n");
        CliRunner.Result result = CliRunner.run("import", "--repo", repo, "d", bad.toString());
        assertEquals(1, result.exitCode());
        assertEquals(1, result.err().lines().count(), result.err());
        assertTrue(result.err().startsWith("lode: Cannot import " + bad + ": line 2"), result.err());
        assertEquals(first.getString("commit"), json("show", "--repo", repo, "d", "--json").getString("commit"));
        assertTrue(json("verify", "--repo", repo, "--json").find("ok").orElseThrow().asBoolean());

        Path empty = Files.createFile(folder.resolve("empty.csv"));
        CliRunner.Result emptyResult = CliRunner.run("import", "--repo", repo, "d", empty.toString());
        assertEquals(1, emptyResult.exitCode());
        assertTrue(emptyResult.err().contains("empty"), emptyResult.err());
        assertFalse(emptyResult.err().contains("Exception"), emptyResult.err());
    }
}
