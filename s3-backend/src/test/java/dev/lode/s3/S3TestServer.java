package dev.lode.s3;

import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process s3proxy with an in-memory blob store behind a {@link FaultInjectingProxy}, for tests. The stores under test get their credentials from
 * the SDK's default chain, so starting a server sets the {@code aws.accessKeyId} and {@code aws.secretAccessKey}
 * system properties to this server's test identity.
 */
public final class S3TestServer implements AutoCloseable {
    public static final String IDENTITY = "lode-test-identity";
    public static final String CREDENTIAL = "lode-test-credential";
    private static final AtomicInteger BUCKETS = new AtomicInteger();

    private final S3Proxy proxy;
    private final URI endpoint;
    private final FaultInjectingProxy faults;
    private final S3Client client;

    private S3TestServer(S3Proxy proxy, URI endpoint) throws Exception {
        this.proxy = proxy;
        this.endpoint = endpoint;
        this.faults = new FaultInjectingProxy(endpoint);
        this.client = S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(IDENTITY, CREDENTIAL)))
                .build();
    }

    public static S3TestServer start() throws Exception {
        System.setProperty("aws.accessKeyId", IDENTITY);
        System.setProperty("aws.secretAccessKey", CREDENTIAL);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(new TransientNio2BlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, IDENTITY, CREDENTIAL)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                proxy.stop();
                throw new IllegalStateException("s3proxy did not start within 10 s: " + proxy.getState());
            }
            Thread.sleep(10);
        }
        return new S3TestServer(proxy, URI.create("http://127.0.0.1:" + proxy.getPort()));
    }

    /** The endpoint stores under test should use: the fault-injecting proxy, which serialises writes. */
    public URI endpoint() {
        return faults.endpoint();
    }

    /** s3proxy itself, bypassing the fault-injecting proxy. */
    URI directEndpoint() {
        return endpoint;
    }

    /** The proxy in front of s3proxy, through which the stores under test talk (see {@link FaultInjectingProxy}). */
    public FaultInjectingProxy faults() {
        return faults;
    }

    /** Holds every request through {@link #endpoint()} this long (0: none), so a transfer can be killed midway. */
    public void delayEachRequest(long millis) {
        faults.delayEachRequest(millis);
    }

    /** How many requests with this method and a path containing the text went through {@link #endpoint()}. */
    public long requests(String method, String pathContains) {
        return faults.count(method, pathContains);
    }

    /** Waits until the requests in flight through {@link #endpoint()} have been answered or dropped. */
    public void awaitIdle() throws InterruptedException {
        faults.awaitIdle();
    }

    int port() {
        return proxy.getPort();
    }

    /** A plain SDK client with the server's credentials, for inspecting and tampering behind the stores' back. */
    public S3Client client() {
        return client;
    }

    /** A new, empty bucket with a unique name. */
    public String createBucket() {
        String bucket = "lode-test-" + BUCKETS.incrementAndGet();
        client.createBucket(request -> request.bucket(bucket));
        return bucket;
    }

    /** Settings for stores under test: through the fault proxy, path-style, fixed region, few quick retries. */
    S3Settings settings() {
        return settings(faults.endpoint());
    }

    static S3Settings settings(URI endpoint) {
        return S3Settings.defaults().withEndpoint(endpoint).withRegion("us-east-1").withPathStyle().withRetries(4);
    }

    @Override
    public void close() throws Exception {
        client.close();
        faults.close();
        proxy.stop();
    }
}
