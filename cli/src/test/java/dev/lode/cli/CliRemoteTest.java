package dev.lode.cli;

import dev.lode.engine.ObjectDatabase;
import dev.lode.engine.ObjectId;
import dev.lode.engine.TestData;
import dev.lode.engine.json.Json;
import dev.lode.s3.S3TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** remote add, push, clone and pull through the command line against a real S3-compatible server in-process. */
class CliRemoteTest {
    private static S3TestServer server;

    @TempDir
    Path folder;

    @BeforeAll
    static void start() throws Exception {
        server = S3TestServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private Json.JsonObject json(String... args) {
        CliRunner.Result result = CliRunner.run(args);
        assertEquals(0, result.exitCode(), String.join(" ", args) + ": " + result.err());
        return Json.parse(result.out().trim()).asObject();
    }

    @Test
    void pushCloneAndPullAPinnedVersion() throws Exception {
        String bucket = server.createBucket();
        String url = "s3://" + bucket + "/team/datasets";
        String endpoint = server.endpoint().toString();
        String a = folder.resolve("a").toString();
        Path csv = TestData.csv(folder.resolve("train.csv"), 21, 20_000);
        assertEquals(0, CliRunner.run("init", a).exitCode());
        var imported = json("import", "--repo", a, "cifar", csv.toString(), "--json");
        json("tag", "--repo", a, "cifar", "v1", "--json");
        json("remote", "add", "--repo", a, "origin", url, "--endpoint", endpoint, "--path-style", "--region",
                "us-east-1", "--json");

        var push = json("push", "--repo", a, "--json");
        assertEquals(2, push.getArray("updates").size(), "branch and tag");
        assertTrue(push.getLong("objects") >= 3);
        var again = json("push", "--repo", a, "origin", "cifar", "--json");
        assertEquals(0, again.getLong("objects"), "nothing new to send");

        Path b = folder.resolve("b");
        CliRunner.Result clone = CliRunner.run("clone", url, b.toString(), "--endpoint", endpoint, "--path-style",
                "--region", "us-east-1");
        assertEquals(0, clone.exitCode(), clone.err());
        assertEquals(imported.getString("commit"),
                json("show", "--repo", b.toString(), "cifar@v1", "--json").getString("commit"));
        assertTrue(json("verify", "--repo", b.toString(), "--json").find("ok").orElseThrow().asBoolean());

        String c = folder.resolve("c").toString();
        assertEquals(0, CliRunner.run("init", c).exitCode());
        json("remote", "add", "--repo", c, "origin", url, "--endpoint", endpoint, "--path-style", "--region",
                "us-east-1", "--json");
        var pinned = json("pull", "--repo", c, "cifar@" + imported.getString("commit").substring(0, 10), "--json");
        assertEquals("fetched", pinned.getString("status"));
        var tag = json("pull", "--repo", c, "origin", "cifar@v1", "--json");
        assertEquals("created", tag.getString("status"));
        assertEquals(0, tag.getLong("objects"), "the pinned commit's objects were already fetched");

        CliRunner.Result missing = CliRunner.run("pull", "--repo", c, "cifar@v9");
        assertEquals(1, missing.exitCode());
        assertTrue(missing.err().startsWith("lode: Unknown revision cifar@v9"), missing.err());
        CliRunner.Result noRemote = CliRunner.run("pull", "--repo", c, "upstream", "cifar@v1");
        assertEquals(1, noRemote.exitCode());
        assertTrue(noRemote.err().contains("No remote 'upstream'; known remotes: origin"), noRemote.err());

        secondClientSeesThePush(bucket, imported.getString("manifest"));
    }

    /** The AWS CLI, a client we did not write, lists and downloads what Lode pushed. */
    private void secondClientSeesThePush(String bucket, String manifest) throws Exception {
        String aws = findAws();
        Assumptions.assumeTrue(aws != null, "awscli not installed: skipping the second-client check");
        List<String> base = List.of(aws, "--endpoint-url", server.endpoint().toString(), "--region", "us-east-1");
        List<String> list = new ArrayList<>(base);
        list.addAll(List.of("s3", "ls", "--recursive", "s3://" + bucket + "/team/datasets/"));
        String listing = runAws(list);
        assertTrue(listing.contains("team/datasets/objects/" + manifest.substring(0, 2) + "/" + manifest.substring(2)),
                listing);
        assertTrue(listing.contains("team/datasets/refs/cifar/tags/v1"), listing);
        Path downloaded = folder.resolve("manifest.json");
        List<String> copy = new ArrayList<>(base);
        copy.addAll(List.of("s3", "cp", "s3://" + bucket + "/team/datasets/objects/" + manifest.substring(0, 2) + "/"
                + manifest.substring(2), downloaded.toString()));
        runAws(copy);
        assertEquals(ObjectId.parse(manifest), ObjectDatabase.hashFile(downloaded));
    }

    private static String findAws() {
        for (String candidate : List.of("/usr/bin/aws", "/usr/local/bin/aws")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "aws"))) {
                return Path.of(dir, "aws").toString();
            }
        }
        return null;
    }

    private static String runAws(List<String> command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("AWS_ACCESS_KEY_ID", S3TestServer.IDENTITY);
        builder.environment().put("AWS_SECRET_ACCESS_KEY", S3TestServer.CREDENTIAL);
        builder.environment().remove("AWS_PROFILE");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "aws finished");
        assertEquals(0, process.exitValue(), String.join(" ", command) + "\n" + output);
        assertFalse(output.contains(S3TestServer.CREDENTIAL), "the secret is never printed");
        return output;
    }
}
