package dev.lode.cli;

import dev.lode.engine.ObjectId;
import dev.lode.engine.Repository;
import dev.lode.engine.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CliBasicsTest {
    @TempDir
    Path folder;

    @Test
    void helpListsEveryCommand() {
        CliRunner.Result help = CliRunner.run("--help");
        assertEquals(0, help.exitCode());
        for (String command : new String[] {"init", "import", "log", "show", "tag", "branch", "diff", "export",
                "verify", "gc", "remote", "push", "pull", "clone", "order", "stream", "demo", "s3-server"}) {
            assertTrue(help.out().contains("  " + command), command + " missing from:\n" + help.out());
        }
    }

    @Test
    void everyCommandHasCompleteHelp() {
        for (String command : new String[] {"init", "import", "log", "show", "tag", "branch", "diff", "export",
                "verify", "gc", "remote", "push", "pull", "clone", "order", "stream", "demo", "s3-server"}) {
            CliRunner.Result help = CliRunner.run(command, "--help");
            assertEquals(0, help.exitCode(), command + ": " + help.err());
            assertTrue(help.out().startsWith("Usage: lode " + command), help.out());
            assertTrue(help.out().contains("--help"), command);
        }
        CliRunner.Result add = CliRunner.run("remote", "add", "--help");
        assertEquals(0, add.exitCode(), add.err());
        assertTrue(add.out().contains("--endpoint"), add.out());
    }

    @Test
    void userErrorsAreOneLineWithExitCodeOne() {
        CliRunner.Result noRepo = CliRunner.run("log", "--repo", folder.resolve("none").toString(), "cifar");
        assertEquals(1, noRepo.exitCode());
        assertEquals("lode: Not a Lode repository: " + folder.resolve("none")
                + " (no .lode/config.json; run lode init)\n", noRepo.err());
        assertEquals("", noRepo.out());

        assertEquals(0, CliRunner.run("init", folder.toString()).exitCode());
        CliRunner.Result badName = CliRunner.run("log", "--repo", folder.toString(), "a..b");
        assertEquals(1, badName.exitCode());
        assertEquals("lode: Invalid revision 'a..b': it contains '..'\n", badName.err());

        CliRunner.Result unknown = CliRunner.run("show", "--repo", folder.toString(), "cifar@v1");
        assertEquals(1, unknown.exitCode());
        assertEquals("lode: Unknown dataset 'cifar' in revision cifar@v1: the repository has no datasets yet\n",
                unknown.err());

        CliRunner.Result usage = CliRunner.run("tag");
        assertEquals(1, usage.exitCode());
        assertTrue(usage.err().startsWith("lode: Missing required parameter"), usage.err());

        CliRunner.Result missingFile = CliRunner.run("import", "--repo", folder.toString(), "cifar",
                folder.resolve("nope.csv").toString());
        assertEquals(1, missingFile.exitCode());
        assertEquals("lode: Cannot import " + folder.resolve("nope.csv") + ": no such file or folder\n",
                missingFile.err());
    }

    @Test
    void initTwiceIsAUserError() {
        assertEquals(0, CliRunner.run("init", folder.toString()).exitCode());
        CliRunner.Result again = CliRunner.run("init", folder.toString());
        assertEquals(1, again.exitCode());
        assertTrue(again.err().startsWith("lode: A Lode repository already exists"), again.err());
    }

    @Test
    void orderPrintsOneLinePerBatchAndChecksAWholeEpoch() throws Exception {
        ObjectId commit;
        try (Repository repository = Repository.init(folder)) {
            String[] rows = new String[10];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = "row " + i;
            }
            commit = dev.lode.engine.RepositoryTest.commitFragments(repository, "toy", "main", rows);
        }
        String repo = folder.toString();
        CliRunner.Result all = CliRunner.run("order", "--repo", repo, "toy", "--seed", "7", "--batch-size", "4",
                "--order", "global");
        assertEquals(0, all.exitCode(), all.err());
        String[] lines = all.out().split("\n");
        assertEquals(2, lines.length, "10 rows, batch 4, tail drop: 2 batches");
        Set<String> seen = new HashSet<>();
        for (String line : lines) {
            assertTrue(line.matches("[0-9]+( [0-9]+){3}"), line);
            for (String sample : line.split(" ")) {
                assertTrue(seen.add(sample), "sample " + sample + " twice");
            }
        }
        CliRunner.Result rank1 = CliRunner.run("order", "--repo", repo, "toy@" + commit.hex().substring(0, 8),
                "--seed", "7", "--batch-size", "4", "--order", "global", "--rank", "1", "--world-size", "2");
        assertEquals(lines[0].split(" ")[2] + " " + lines[0].split(" ")[3], rank1.out().split("\n")[0]);

        CliRunner.Result json = CliRunner.run("order", "--repo", repo, "toy", "--seed", "7", "--batch-size", "4",
                "--from-step", "1", "--steps", "1", "--json");
        var object = Json.parse(json.out().trim()).asObject();
        assertEquals(1, object.getLong("step"));
        assertEquals(0, object.getLong("epoch"));

        CliRunner.Result check = CliRunner.run("order", "--repo", repo, "toy", "--seed", "7", "--batch-size", "4",
                "--world-size", "2", "--tail", "pad", "--check");
        assertEquals(0, check.exitCode(), check.err() + check.out());
        assertTrue(check.out().contains("passed"), check.out());

        CliRunner.Result badWorld = CliRunner.run("order", "--repo", repo, "toy", "--seed", "7", "--batch-size",
                "4", "--world-size", "3");
        assertEquals(1, badWorld.exitCode());
        assertFalse(badWorld.err().isBlank());
    }
}
