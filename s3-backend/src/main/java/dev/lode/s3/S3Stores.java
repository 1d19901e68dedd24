package dev.lode.s3;

import dev.lode.engine.ObjectId;
import dev.lode.engine.ObjectStore;
import dev.lode.engine.RefStore;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static java.util.Objects.requireNonNull;

/**
 * A connection to one repository in an S3 bucket, and the factory of its object and ref stores. The stores share
 * this connection's HTTP clients and threads; closing a store does nothing, closing this closes them all.
 * Thread-safe.
 *
 * <p>Requests are retried with capped exponential backoff and full jitter on throttling (503 SlowDown), 5xx and
 * connection failures, never on other 4xx. Writes that move a ref are never retried blindly: their outcome is
 * learned by re-reading (see {@link RefStore#compareAndSet}).
 */
public final class S3Stores implements AutoCloseable {
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final S3Location location;
    private final S3Settings settings;
    private final S3Client client;
    private final S3Client writeOnceClient;
    private final ExecutorService transfers;
    private final S3ObjectStore objects;
    private final S3RefStore refs;

    private S3Stores(S3Location location, S3Settings settings) {
        this.location = requireNonNull(location, "location is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.client = buildClient(settings, retrying(settings));
        this.writeOnceClient = buildClient(settings, AwsRetryStrategy.doNotRetry());
        this.transfers = Executors.newFixedThreadPool(settings.parallelism(), runnable -> {
            Thread thread = new Thread(runnable, "lode-s3-transfer-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.objects = new S3ObjectStore(client, location, settings, transfers);
        this.refs = new S3RefStore(client, writeOnceClient, location, settings);
    }

    /** Connects to the repository at {@code location}; no request is sent until a store is used. */
    public static S3Stores connect(S3Location location, S3Settings settings) {
        return new S3Stores(location, settings);
    }

    /** Connects with {@link S3Settings#fromEnvironment()}. */
    public static S3Stores connect(String location) {
        return new S3Stores(S3Location.parse(location), S3Settings.fromEnvironment());
    }

    public ObjectStore objects() {
        return objects;
    }

    public RefStore refs() {
        return refs;
    }

    public S3Location location() {
        return location;
    }

    public S3Settings settings() {
        return settings;
    }

    /**
     * Downloads an object to {@code target}, by parallel ranged GETs when it is large. The bytes go to a temporary
     * file beside the target, are checked against the id's SHA-256, and only then moved into place, so the target
     * appears complete and verified or not at all.
     *
     * @throws dev.lode.engine.MissingObjectException if there is no such object
     * @throws dev.lode.engine.CorruptObjectException if the bytes do not hash to the id (names key and both hashes)
     */
    public void download(ObjectId id, Path target) throws IOException {
        objects.download(id, target, Long.MAX_VALUE);
    }

    static RetryStrategy retrying(S3Settings settings) {
        // Full jitter: each delay is uniform in [0, min(cap, base * 2^attempt)].
        return AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(settings.maxAttempts())
                .backoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofMillis(50), Duration.ofSeconds(20)))
                .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofMillis(200),
                        Duration.ofSeconds(20)))
                .retryOnExceptionOrCauseInstanceOf(IOException.class)
                .circuitBreakerEnabled(false)
                .build();
    }

    private static S3Client buildClient(S3Settings settings, RetryStrategy retryStrategy) {
        S3ClientBuilder builder = S3Client.builder()
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .forcePathStyle(settings.pathStyle())
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(retryStrategy)
                        .apiCallAttemptTimeout(settings.attemptTimeout())
                        .build());
        settings.endpoint().ifPresent(builder::endpointOverride);
        builder.region(region(settings));
        return builder.build();
    }

    private static Region region(S3Settings settings) {
        if (settings.region().isPresent()) {
            return Region.of(settings.region().get());
        }
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (RuntimeException noRegionConfigured) {
            if (settings.endpoint().isPresent()) {
                // S3-compatible servers accept any signing region; us-east-1 is the conventional one.
                return Region.US_EAST_1;
            }
            throw noRegionConfigured;
        }
    }

    @Override
    public void close() {
        transfers.shutdownNow();
        client.close();
        writeOnceClient.close();
    }

    @Override
    public String toString() {
        return location.toString();
    }
}
