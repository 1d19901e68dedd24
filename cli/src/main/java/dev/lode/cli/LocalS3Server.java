package dev.lode.cli;

import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyExistsException;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A local S3-compatible server (s3proxy, in-process) for the demo, development and benchmarks: objects in memory
 * or under a folder, AWS V2/V4 authentication with one identity. Not for concurrent writers: s3proxy checks
 * {@code If-Match} and writes without a lock between, so two racing compare-and-sets can both win.
 */
final class LocalS3Server implements AutoCloseable {
    private final S3Proxy proxy;
    private final URI endpoint;
    private final String identity;
    private final String credential;

    private LocalS3Server(S3Proxy proxy, URI endpoint, String identity, String credential) {
        this.proxy = proxy;
        this.endpoint = endpoint;
        this.identity = identity;
        this.credential = credential;
    }

    /**
     * Starts a server and waits until it accepts requests.
     *
     * @param folder where buckets live (one subfolder each); empty keeps everything in memory
     * @param port   0 for any free port
     */
    static LocalS3Server start(Optional<Path> folder, String host, int port, String identity, String credential)
            throws Exception {
        requireNonNull(folder, "folder is null");
        requireNonNull(host, "host is null");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port is " + port + ", expected 0 to 65535");
        }
        S3Proxy.Builder builder = S3Proxy.builder();
        if (folder.isPresent()) {
            Files.createDirectories(folder.get());
            builder.blobStore(new FilesystemNio2BlobStore(folder.get().toAbsolutePath().toString()));
        } else {
            builder.blobStore(new TransientNio2BlobStore());
        }
        S3Proxy proxy = builder
                .endpoint(URI.create("http://" + host + ":" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, identity, credential)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline || "FAILED".equals(proxy.getState())) {
                proxy.stop();
                throw new IOException("The local S3 server on " + host + ":" + port + " did not start: "
                        + proxy.getState());
            }
            Thread.sleep(5);
        }
        return new LocalS3Server(proxy, URI.create("http://" + host + ":" + proxy.getPort()), identity, credential);
    }

    URI endpoint() {
        return endpoint;
    }

    /** Creates the bucket unless it exists. */
    void createBucket(String bucket) {
        try (S3Client client = S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(identity, credential)))
                .build()) {
            client.createBucket(request -> request.bucket(bucket));
        } catch (BucketAlreadyOwnedByYouException | BucketAlreadyExistsException exists) {
            // Kept from an earlier run under the same folder.
        }
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
