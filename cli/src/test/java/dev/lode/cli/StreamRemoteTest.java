package dev.lode.cli;

import dev.lode.engine.TestData;
import dev.lode.s3.S3TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** lode stream --remote reads a version the local repository lacks from S3, giving the bytes a local stream gives. */
class StreamRemoteTest {
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

    private void ok(String... args) {
        CliRunner.Result result = CliRunner.run(args);
        assertEquals(0, result.exitCode(), String.join(" ", args) + ": " + result.err());
    }

    @Test
    void streamOfARemoteOnlyVersionEqualsTheLocalStream() throws Exception {
        String url = "s3://" + server.createBucket() + "/datasets";
        List<String> remote = List.of(url, "--endpoint", server.endpoint().toString(), "--path-style", "--region",
                "us-east-1");
        String a = folder.resolve("a").toString();
        String b = folder.resolve("b").toString();
        Path csv = TestData.csv(folder.resolve("t.csv"), 5, 5_000);
        ok("init", a);
        ok("import", "--repo", a, "t", csv.toString());
        ok(Stream.concat(Stream.of("remote", "add", "--repo", a, "origin"), remote.stream()).toArray(String[]::new));
        ok("push", "--repo", a);
        ok("init", b);
        ok(Stream.concat(Stream.of("remote", "add", "--repo", b, "origin"), remote.stream()).toArray(String[]::new));

        List<String> options = List.of("stream", "t", "--seed", "3", "--batch-size", "256", "--epochs", "2",
                "--columns", "label,id");
        Path local = folder.resolve("local.arrows");
        Path fromRemote = folder.resolve("remote.arrows");
        ok(Stream.concat(options.stream(), Stream.of("--repo", a, "--out", local.toString())).toArray(String[]::new));
        CliRunner.Result missing = CliRunner.run(Stream.concat(options.stream(),
                Stream.of("--repo", b, "--out", fromRemote.toString())).toArray(String[]::new));
        assertEquals(1, missing.exitCode(), "without --remote the version is unknown here: " + missing.err());
        ok(Stream.concat(options.stream(), Stream.of("--repo", b, "--remote", "origin", "--out",
                fromRemote.toString())).toArray(String[]::new));
        assertArrayEquals(Files.readAllBytes(local), Files.readAllBytes(fromRemote));
        try (Stream<Path> cached = Files.list(folder.resolve("b").resolve(".lode").resolve("cache"))) {
            assertTrue(cached.anyMatch(f -> f.toString().endsWith(".arrow")), "fragments went to b's cache");
        }
    }
}
