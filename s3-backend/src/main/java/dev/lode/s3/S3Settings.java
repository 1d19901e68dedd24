package dev.lode.s3;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * How to reach S3 and how to move bytes. Credentials are not part of the settings: they come only from the AWS SDK's
 * default provider chain (environment, system properties, profile, container or instance role) and are never
 * logged.
 *
 * @param endpoint               a custom endpoint (MinIO, s3proxy, a gateway); empty means AWS
 * @param region                 the signing region; empty means the SDK's default region chain
 * @param pathStyle              address buckets as {@code endpoint/bucket/key} instead of {@code bucket.endpoint/key}
 * @param multipartThreshold     objects of at least this many bytes are uploaded in parts
 * @param partSize               bytes per uploaded part (S3 needs at least 5 MiB for all but the last)
 * @param rangedDownloadThreshold objects of at least this many bytes are downloaded by parallel ranged GETs
 * @param rangeSize              bytes per ranged GET
 * @param parallelism            parts or ranges in flight at once for one object
 * @param maxAttempts            attempts per request for throttling, 5xx and connection failures (1 = no retry)
 * @param attemptTimeout         the time one HTTP attempt may take
 * @param sha256Checksums        send each object's SHA-256 as the S3 additional checksum so that S3 verifies it
 */
public record S3Settings(Optional<URI> endpoint, Optional<String> region, boolean pathStyle, long multipartThreshold,
                         int partSize, long rangedDownloadThreshold, int rangeSize, int parallelism, int maxAttempts,
                         Duration attemptTimeout, boolean sha256Checksums) {
    public static final int MEBIBYTE = 1 << 20;
    /** The smallest part S3 accepts for any but the last part of a multipart upload. */
    public static final int MINIMUM_PART_SIZE = 5 * MEBIBYTE;

    public S3Settings {
        requireNonNull(endpoint, "endpoint is null");
        requireNonNull(region, "region is null");
        requireNonNull(attemptTimeout, "attemptTimeout is null");
        if (partSize < MINIMUM_PART_SIZE) {
            throw new IllegalArgumentException("partSize is " + partSize + ", S3 needs at least " + MINIMUM_PART_SIZE);
        }
        if (multipartThreshold < partSize) {
            throw new IllegalArgumentException("multipartThreshold " + multipartThreshold + " is below partSize "
                    + partSize);
        }
        if (rangeSize < 1 || rangedDownloadThreshold < rangeSize) {
            throw new IllegalArgumentException("rangeSize " + rangeSize + " must be positive and at most "
                    + "rangedDownloadThreshold " + rangedDownloadThreshold);
        }
        if (parallelism < 1 || parallelism > 64) {
            throw new IllegalArgumentException("parallelism is " + parallelism + ", expected 1 to 64");
        }
        if (maxAttempts < 1 || maxAttempts > 20) {
            throw new IllegalArgumentException("maxAttempts is " + maxAttempts + ", expected 1 to 20");
        }
        if (attemptTimeout.isNegative() || attemptTimeout.isZero()) {
            throw new IllegalArgumentException("attemptTimeout is not positive: " + attemptTimeout);
        }
    }

    /** AWS itself, virtual-hosted addressing, 16 MiB parts above 16 MiB, 8 MiB ranges above 32 MiB. */
    public static S3Settings defaults() {
        return new S3Settings(Optional.empty(), Optional.empty(), false, 16L * MEBIBYTE, 16 * MEBIBYTE,
                32L * MEBIBYTE, 8 * MEBIBYTE, 8, 5, Duration.ofSeconds(120), true);
    }

    /**
     * The defaults with {@code AWS_ENDPOINT_URL_S3} or {@code AWS_ENDPOINT_URL} as endpoint (which then also turns
     * on path-style addressing, as most S3-compatible servers need) and {@code AWS_REGION} as region.
     */
    public static S3Settings fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    static S3Settings fromEnvironment(Map<String, String> environment) {
        S3Settings settings = defaults();
        String endpoint = firstNonBlank(environment.get("AWS_ENDPOINT_URL_S3"), environment.get("AWS_ENDPOINT_URL"));
        if (endpoint != null) {
            URI uri;
            try {
                uri = URI.create(endpoint.strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Invalid AWS_ENDPOINT_URL '" + endpoint + "': " + e.getMessage(), e);
            }
            settings = settings.withEndpoint(uri).withPathStyle();
        }
        String region = firstNonBlank(environment.get("AWS_REGION"), null);
        return region == null ? settings : settings.withRegion(region.strip());
    }

    private static String firstNonBlank(String first, String second) {
        if (first != null && !first.isBlank()) {
            return first;
        }
        return second != null && !second.isBlank() ? second : null;
    }

    public S3Settings withEndpoint(URI endpoint) {
        return new S3Settings(Optional.of(endpoint), region, pathStyle, multipartThreshold, partSize,
                rangedDownloadThreshold, rangeSize, parallelism, maxAttempts, attemptTimeout, sha256Checksums);
    }

    public S3Settings withRegion(String region) {
        return new S3Settings(endpoint, Optional.of(region), pathStyle, multipartThreshold, partSize,
                rangedDownloadThreshold, rangeSize, parallelism, maxAttempts, attemptTimeout, sha256Checksums);
    }

    public S3Settings withPathStyle() {
        return new S3Settings(endpoint, region, true, multipartThreshold, partSize, rangedDownloadThreshold,
                rangeSize, parallelism, maxAttempts, attemptTimeout, sha256Checksums);
    }

    public S3Settings withMultipart(long threshold, int partSize) {
        return new S3Settings(endpoint, region, pathStyle, threshold, partSize, rangedDownloadThreshold, rangeSize,
                parallelism, maxAttempts, attemptTimeout, sha256Checksums);
    }

    public S3Settings withRangedDownload(long threshold, int rangeSize) {
        return new S3Settings(endpoint, region, pathStyle, multipartThreshold, partSize, threshold, rangeSize,
                parallelism, maxAttempts, attemptTimeout, sha256Checksums);
    }

    public S3Settings withRetries(int maxAttempts) {
        return new S3Settings(endpoint, region, pathStyle, multipartThreshold, partSize, rangedDownloadThreshold,
                rangeSize, parallelism, maxAttempts, attemptTimeout, sha256Checksums);
    }

    public S3Settings withAttemptTimeout(Duration attemptTimeout) {
        return new S3Settings(endpoint, region, pathStyle, multipartThreshold, partSize, rangedDownloadThreshold,
                rangeSize, parallelism, maxAttempts, attemptTimeout, sha256Checksums);
    }

    /** For servers that reject S3 additional checksums; S3 then verifies only the transfer (Content-MD5 or CRC). */
    public S3Settings withoutSha256Checksums() {
        return new S3Settings(endpoint, region, pathStyle, multipartThreshold, partSize, rangedDownloadThreshold,
                rangeSize, parallelism, maxAttempts, attemptTimeout, false);
    }
}
