package dev.lode.cli;

import dev.lode.engine.TestData;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AWS credentials never leak: the real command line, as a child process with known fake credentials in its
 * environment, pushes, clones, pulls and fails (with --verbose stack traces) against s3proxy; runs that also carry a
 * session token fail, because s3proxy does not implement session tokens (HTTP 501); then stdout, stderr
 * and every file of the repositories (config, refs, ref logs, commits, manifests) are searched for the key id, the
 * secret and the session token.
 */
class CliSecretsTest {
    private static final String KEY_ID = "AKIALODEFAKEKEY7TEST";
    private static final String SECRET = "lodeFakeSecret/Do+Not+Leak/0123456789abcdefghij";
    private static final String TOKEN = "LodeFakeSessionToken/Do+Not+Leak/QWERTY0123456789zyx==";
    private static final String WRONG_SECRET = "lodeWrongSecret/Also+Secret/9876543210jihgfedcba";
    private static final List<String> SECRETS = List.of(KEY_ID, SECRET, TOKEN, WRONG_SECRET);

    private static S3Proxy proxy;
    private static URI endpoint;

    @TempDir
    Path folder;

    private final StringBuilder everythingPrinted = new StringBuilder();

    @BeforeAll
    static void start() throws Exception {
        proxy = S3Proxy.builder()
                .blobStore(new TransientNio2BlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, KEY_ID, SECRET)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!"STARTED".equals(proxy.getState()) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
        try (S3Client client = S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY_ID, SECRET)))
                .build()) {
            client.createBucket(request -> request.bucket("secrets"));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.stop();
    }

    @Test
    void credentialsAppearInNoOutputNoFileAndNoExceptionMessage() throws Exception {
        String a = folder.resolve("a").toString();
        String b = folder.resolve("b").toString();
        String c = folder.resolve("c").toString();
        String url = "s3://secrets/team";
        Path csv = TestData.csv(folder.resolve("train.csv"), 5, 200);
        String[] s3 = {"--endpoint", endpoint.toString(), "--path-style", "--region", "us-east-1"};

        lode(0, SECRET, "init", a);
        lode(0, SECRET, "import", "--repo", a, "cifar", csv.toString(), "-m", "first");
        lode(0, SECRET, concat(new String[] {"remote", "add", "--repo", a, "origin", url}, s3));
        lode(0, SECRET, "push", "--repo", a, "--verbose");
        lode(0, SECRET, concat(new String[] {"clone", url, b, "--verbose"}, s3));
        lode(0, SECRET, "init", c);
        lode(0, SECRET, concat(new String[] {"remote", "add", "--repo", c, "origin", url}, s3));
        lode(0, SECRET, "pull", "--repo", c, "cifar@main", "--verbose");
        lode(0, SECRET, "remote", "list", "--repo", c, "--verbose");
        lode(0, SECRET, "log", "--repo", c, "cifar", "--verbose");

        // Failing runs, with stack traces: unknown revision, missing bucket, wrong secret.
        lode(1, SECRET, "pull", "--repo", c, "cifar@v9", "--verbose");
        lode(0, SECRET, concat(new String[] {"remote", "add", "--repo", a, "gone", "s3://no-such-bucket/x"}, s3));
        int missingBucket = lode(-1, SECRET, "push", "--repo", a, "gone", "--verbose");
        assertTrue(missingBucket != 0, "a push to a missing bucket fails");
        int wrongSecret = lode(-1, WRONG_SECRET, "push", "--repo", a, "--verbose");
        assertTrue(wrongSecret != 0, "a push with a wrong secret fails");
        int withToken = lodeWithToken(-1, SECRET, TOKEN, "push", "--repo", a, "--verbose");
        assertTrue(withToken != 0, "s3proxy refuses session tokens, so this push fails");
        int pullWithToken = lodeWithToken(-1, SECRET, TOKEN, "pull", "--repo", c, "cifar@main", "--verbose");
        assertTrue(pullWithToken != 0, "s3proxy refuses session tokens, so this pull fails");
        int cloneWrong = lode(-1, WRONG_SECRET, concat(new String[] {"clone", url, folder.resolve("d").toString(),
                "--verbose"}, s3));
        assertTrue(cloneWrong != 0, "a clone with a wrong secret fails");

        assertTrue(everythingPrinted.toString().contains("cifar"), "the runs did print something to search");
        for (String secret : SECRETS) {
            assertFalse(everythingPrinted.toString().contains(secret), "printed output contains " + secret + ":\n"
                    + everythingPrinted);
        }
        int files = 0;
        for (String repository : List.of(a, b, c)) {
            try (Stream<Path> walk = Files.walk(Path.of(repository))) {
                for (Path file : walk.filter(Files::isRegularFile).toList()) {
                    files++;
                    String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                    for (String secret : SECRETS) {
                        assertFalse(content.contains(secret), file + " contains " + secret);
                    }
                }
            }
        }
        assertTrue(files > 10, "config, refs, logs and objects were searched: " + files + " files");
    }

    private static String[] concat(String[] first, String[] second) {
        String[] all = new String[first.length + second.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }

    /** Runs the command line in a child process with the fake credentials in its environment; -1 accepts any exit. */
    private int lode(int expectedExit, String secret, String... args) throws IOException, InterruptedException {
        return lodeWithToken(expectedExit, secret, null, args);
    }

    /** As above, with a session token too; s3proxy answers requests that carry one with 501 Not Implemented. */
    private int lodeWithToken(int expectedExit, String secret, String token, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(name -> name.startsWith("AWS_"));
        environment.put("AWS_ACCESS_KEY_ID", KEY_ID);
        environment.put("AWS_SECRET_ACCESS_KEY", secret);
        if (token != null) {
            environment.put("AWS_SESSION_TOKEN", token);
        }
        environment.put("AWS_CONFIG_FILE", folder.resolve("no-aws-config").toString());
        environment.put("AWS_SHARED_CREDENTIALS_FILE", folder.resolve("no-aws-credentials").toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "lode " + String.join(" ", args) + " finished");
        everythingPrinted.append("$ lode ").append(String.join(" ", args)).append('\n').append(output);
        if (expectedExit >= 0) {
            assertEquals(expectedExit, process.exitValue(), "lode " + String.join(" ", args) + ":\n" + output);
        }
        return process.exitValue();
    }
}
