package dev.lode.cli;

import dev.lode.engine.TestData;
import dev.lode.engine.json.Json;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code lode import --schema FILE}: the schema round-trips from {@code lode show --json} and is enforced. */
class CliSchemaTest {
    private static final String SCHEMA = """
            {"fields": [
              {"name": "id", "nullable": false, "type": {"name": "int", "bitWidth": 32, "isSigned": true}},
              {"name": "score", "nullable": true, "type": {"name": "floatingpoint", "precision": "SINGLE"}}
            ]}""";

    @TempDir
    Path folder;

    private String repo;
    private Path schema;
    private String head;

    @BeforeEach
    void repositoryWithOneCommit() throws IOException {
        repo = folder.resolve("repo").toString();
        assertEquals(0, CliRunner.run("init", repo).exitCode());
        schema = Files.writeString(folder.resolve("schema.json"), SCHEMA);
        Path good = Files.writeString(folder.resolve("good.csv"), "id,score\n1,0.5\n2,\n");
        head = json("import", "--repo", repo, "d", good.toString(), "--schema", schema.toString(), "--json")
                .getString("commit");
    }

    private Json.JsonObject json(String... args) {
        CliRunner.Result result = CliRunner.run(args);
        assertEquals(0, result.exitCode(), String.join(" ", args) + ": " + result.err());
        return Json.parse(result.out().trim()).asObject();
    }

    /** Imports the CSV with the schema, expects exit 1 and returns stderr after checking nothing changed. */
    private String rejected(String csv) throws IOException {
        Path file = Files.writeString(folder.resolve("bad.csv"), csv);
        CliRunner.Result result = CliRunner.run("import", "--repo", repo, "d", file.toString(), "--schema",
                schema.toString());
        assertEquals(1, result.exitCode(), result.err());
        assertEquals(1, result.err().lines().count(), result.err());
        assertEquals(head, json("show", "--repo", repo, "d", "--json").getString("commit"), "the branch did not move");
        assertEquals(1, json("log", "--repo", repo, "d", "--json").getArray("entries").size(), "no commit");
        assertTrue(json("verify", "--repo", repo, "--json").find("ok").orElseThrow().asBoolean());
        return result.err().replace(file.toString(), "bad.csv").trim();
    }

    @Test
    void theDeclaredSchemaIsTheDatasetSchema() {
        var fields = json("show", "--repo", repo, "d", "--json").getObject("schema").getArray("fields");
        assertEquals("int", fields.get(0).asObject().getObject("type").getString("name"));
        assertEquals(32, fields.get(0).asObject().getObject("type").getLong("bitWidth"));
        assertEquals(false, fields.get(0).asObject().find("nullable").orElseThrow().asBoolean());
        assertEquals("SINGLE", fields.get(1).asObject().getObject("type").getString("precision"));
    }

    @Test
    void theOutputOfShowJsonIsAcceptedAsASchemaSoASchemaRoundTrips() throws IOException {
        Path csv = TestData.csv(folder.resolve("train.csv"), 3, 200);
        json("import", "--repo", repo, "inferred", csv.toString(), "--json");
        CliRunner.Result show = CliRunner.run("show", "--repo", repo, "inferred", "--json");
        Path shown = Files.writeString(folder.resolve("shown.json"), show.out());
        json("import", "--repo", repo, "pinned", csv.toString(), "--schema", shown.toString(), "--json");
        Json inferred = json("show", "--repo", repo, "inferred", "--json").getObject("schema");
        Json pinned = json("show", "--repo", repo, "pinned", "--json").getObject("schema");
        assertEquals(inferred, pinned);
        assertEquals(json("show", "--repo", repo, "inferred", "--json").getString("manifest"),
                json("show", "--repo", repo, "pinned", "--json").getString("manifest"),
                "the same types give the same fragments");
        Path schemaOnly = Files.writeString(folder.resolve("schema-only.json"), pinned.toString());
        var check = json("import", "--repo", repo, "pinned", csv.toString(), "--schema", schemaOnly.toString(),
                "--verify-against", "main", "--json");
        assertTrue(check.find("identical").orElseThrow().asBoolean(), "the schema, not its file, is the option");
    }

    @Test
    void aValueThatDoesNotParseAsTheDeclaredType() throws IOException {
        assertEquals("lode: Cannot import bad.csv: line 3, column 2 'score': value 'high' does not parse as float32",
                rejected("id,score\n1,0.5\n2,high\n"));
    }

    @Test
    void aNullInANonNullableField() throws IOException {
        assertEquals("lode: Cannot import bad.csv: line 2, column 1 'id': empty value (null) in non-nullable int32 "
                + "column", rejected("id,score\n,0.5\n"));
    }

    @Test
    void anIntOutOfTheDeclaredRange() throws IOException {
        assertEquals("lode: Cannot import bad.csv: line 2, column 1 'id': value '-2147483649' is out of range for "
                + "int32 (-2147483648 to 2147483647)", rejected("id,score\n-2147483649,0.5\n"));
    }

    @Test
    void aHeaderNameThatDiffersFromTheSchema() throws IOException {
        assertEquals("lode: Cannot import bad.csv: line 1: column 2 is named 'points', the schema declares 'score'",
                rejected("id,points\n1,0.5\n"));
    }

    @Test
    void aHeaderWithMoreColumnsThanTheSchema() throws IOException {
        assertEquals("lode: Cannot import bad.csv: line 1: the header has 3 columns, the schema declares 2 "
                + "(id, score)", rejected("id,score,extra\n1,0.5,x\n"));
    }

    @Test
    void aMissingOrMalformedSchemaFileIsAUserError() throws IOException {
        Path csv = Files.writeString(folder.resolve("a.csv"), "id,score\n1,2\n");
        CliRunner.Result missing = CliRunner.run("import", "--repo", repo, "d", csv.toString(), "--schema",
                folder.resolve("nope.json").toString());
        assertEquals(1, missing.exitCode());
        assertEquals("lode: Cannot read schema file " + folder.resolve("nope.json")
                + ": it does not exist or is not a file", missing.err().trim());
        Path nested = Files.writeString(folder.resolve("nested.json"), """
                {"fields": [{"name": "id", "nullable": true, "type": {"name": "list"},
                  "children": [{"name": "element", "nullable": true, "type": {"name": "utf8"}}]}]}""");
        CliRunner.Result unsupported = CliRunner.run("import", "--repo", repo, "d", csv.toString(), "--schema",
                nested.toString());
        assertEquals(1, unsupported.exitCode());
        assertEquals("lode: Option schema: field 'id' has type List, which a CSV column cannot hold (int, "
                + "floatingpoint, bool, utf8, binary, date of days, timestamp)", unsupported.err().trim());
        Path broken = Files.writeString(folder.resolve("broken.json"), "{\"fields\": [");
        CliRunner.Result malformed = CliRunner.run("import", "--repo", repo, "d", csv.toString(), "--schema",
                broken.toString());
        assertEquals(1, malformed.exitCode());
        assertTrue(malformed.err().startsWith("lode: Cannot read schema file " + broken + ": "), malformed.err());
        assertEquals(head, json("show", "--repo", repo, "d", "--json").getString("commit"));
    }
}
