package dev.lode.cli;

import dev.lode.engine.TestData;
import dev.lode.engine.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code lode import --verify-against REV} and {@code --quiet}. */
class CliImportChecksTest {
    @TempDir
    Path folder;

    private Json.JsonObject json(String... args) {
        CliRunner.Result result = CliRunner.run(args);
        assertEquals(0, result.exitCode(), String.join(" ", args) + ": " + result.err());
        return Json.parse(result.out().trim()).asObject();
    }

    @Test
    void verifyAgainstFindsADifferentConversionAndCommitsNothing() throws Exception {
        String repo = folder.resolve("repo").toString();
        assertEquals(0, CliRunner.run("init", repo).exitCode());
        Path csv = TestData.csv(folder.resolve("train.csv"), 5, 1000);
        var first = json("import", "--repo", repo, "d", csv.toString(), "--json");
        json("tag", "--repo", repo, "d", "v1", "--json");
        TestData.csv(csv, 5, 1200);
        json("import", "--repo", repo, "d", csv.toString(), "--json");

        CliRunner.Result changed = CliRunner.run("import", "--repo", repo, "d", csv.toString(), "--verify-against",
                "v1", "--json");
        assertEquals(1, changed.exitCode(), "the source grew since v1: " + changed.err());
        var report = Json.parse(changed.out().trim()).asObject();
        assertFalse(report.find("identical").orElseThrow().asBoolean());
        assertEquals(first.getString("manifest"), report.getString("expectedManifest"));
        assertEquals("lode: Conversion differs from d@v1: expected manifest " + first.getString("manifest")
                + ", got " + report.getString("actualManifest"), changed.err().trim());

        CliRunner.Result otherOptions = CliRunner.run("import", "--repo", repo, "d", csv.toString(), "--no-header",
                "--verify-against", "main");
        assertEquals(1, otherOptions.exitCode(), "other options give another conversion");
        assertTrue(otherOptions.err().startsWith("lode: Conversion differs from d@main: "), otherOptions.err());

        CliRunner.Result same = CliRunner.run("import", "--repo", repo, "d", csv.toString(), "--verify-against",
                "d@main");
        assertEquals(0, same.exitCode(), same.err());
        assertTrue(same.out().startsWith("Identical: converting again gives manifest "), same.out());
        assertEquals(2, json("log", "--repo", repo, "d", "--json").getArray("entries").size(),
                "verifying never commits");
    }

    /** Runs the CLI in a new JVM inside a pseudo-terminal (util-linux script), returning what the terminal showed. */
    private String onATerminal(String... args) throws Exception {
        List<String> java = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        java.addAll(List.of(args));
        String command = java.stream().map(word -> "'" + word.replace("'", "'\\''") + "'")
                .collect(Collectors.joining(" "));
        Path typescript = folder.resolve("typescript-" + System.nanoTime());
        Process process = new ProcessBuilder("script", "-q", "-e", "-c", command, typescript.toString())
                .redirectErrorStream(true).redirectOutput(folder.resolve("script.out").toFile()).start();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the command finished");
        String shown = Files.readString(typescript, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), shown);
        return shown;
    }

    @Test
    void progressIsDrawnOnATerminalUnlessQuiet() throws Exception {
        String repo = folder.resolve("repo").toString();
        assertEquals(0, CliRunner.run("init", repo).exitCode());
        Path csv = TestData.csv(folder.resolve("train.csv"), 9, 20_000);

        String drawn = onATerminal("import", "--repo", repo, "a", csv.toString());
        assertTrue(drawn.contains("import") && drawn.contains("MiB") && drawn.contains("%"),
                "a progress bar with bytes and percentage: " + drawn);

        String quiet = onATerminal("import", "--repo", repo, "b", csv.toString(), "--quiet");
        assertFalse(quiet.contains("MiB") || quiet.contains("%"), "no progress with --quiet: " + quiet);
        assertTrue(quiet.contains("b@main"), "the result is still printed: " + quiet);

        CliRunner.Result notATerminal = CliRunner.run("import", "--repo", repo, "c", csv.toString());
        assertEquals(0, notATerminal.exitCode());
        assertEquals("", notATerminal.err(), "no progress when not on a terminal");
    }
}
