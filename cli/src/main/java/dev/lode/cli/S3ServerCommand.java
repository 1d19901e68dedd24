package dev.lode.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "s3-server", description = {"Run a local S3-compatible server (s3proxy) until interrupted, for "
        + "development, the demo and benchmarks.",
        "It accepts the credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or, when those are unset, "
                + "a fixed local identity that it prints. Prints one line 'ready ENDPOINT' once it serves. Not for "
                + "concurrent writers: s3proxy's conditional writes are not atomic.",
        "Example: lode s3-server --dir /tmp/s3 --port 9000 --bucket team, then lode remote add origin "
                + "s3://team/datasets --endpoint http://127.0.0.1:9000 --path-style"})
final class S3ServerCommand implements Callable<Integer> {
    static final String LOCAL_IDENTITY = "lode-local";
    static final String LOCAL_CREDENTIAL = "lode-local-secret";

    @Option(names = "--dir", paramLabel = "DIR", description = "Keep buckets under DIR (default: in memory only).")
    Path folder;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "9000",
            description = "Port to listen on, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--bucket", paramLabel = "NAME", description = "Create this bucket if missing (repeatable).")
    List<String> buckets = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        String identity = System.getenv("AWS_ACCESS_KEY_ID");
        String credential = System.getenv("AWS_SECRET_ACCESS_KEY");
        boolean fromEnvironment = identity != null && !identity.isBlank() && credential != null
                && !credential.isBlank();
        if (!fromEnvironment) {
            identity = LOCAL_IDENTITY;
            credential = LOCAL_CREDENTIAL;
        }
        try (LocalS3Server server = LocalS3Server.start(Optional.ofNullable(folder), host, port, identity,
                credential)) {
            for (String bucket : buckets) {
                try {
                    server.createBucket(bucket);
                } catch (IllegalArgumentException | software.amazon.awssdk.core.exception.SdkException e) {
                    throw new dev.lode.engine.LodeException("Cannot create bucket '" + bucket + "': "
                            + e.getMessage(), e);
                }
            }
            System.out.println("Local S3 server at " + server.endpoint() + (folder == null ? " (in memory)"
                    : " (buckets under " + folder + ")") + (buckets.isEmpty() ? "" : ", buckets " + buckets));
            if (fromEnvironment) {
                System.out.println("It accepts the credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.");
            } else {
                System.out.println("Clients use: export AWS_ACCESS_KEY_ID=" + LOCAL_IDENTITY
                        + " AWS_SECRET_ACCESS_KEY=" + LOCAL_CREDENTIAL + " (a local test identity)");
            }
            System.out.println("ready " + server.endpoint());
            System.out.flush();
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
            stopped.await();
        }
        return 0;
    }
}
