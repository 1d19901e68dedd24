package dev.lode.s3;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;

/** Turns SDK exceptions into I/O exceptions whose message names operation, bucket and key. */
final class S3Failures {
    static final int NOT_FOUND = 404;
    static final int CONFLICT = 409;
    static final int PRECONDITION_FAILED = 412;

    private S3Failures() {
    }

    static int status(SdkException e) {
        return e instanceof AwsServiceException service ? service.statusCode() : -1;
    }

    /** Whether the server answered that the write's condition (If-Match / If-None-Match) did not hold. */
    static boolean lostRace(SdkException e) {
        int status = status(e);
        return status == PRECONDITION_FAILED
                || (status == CONFLICT && e instanceof S3Exception s3 && s3.awsErrorDetails() != null
                && "ConditionalRequestConflict".equals(s3.awsErrorDetails().errorCode()));
    }

    /** Whether the server said "no such key" (as opposed to no answer at all). */
    static boolean notFound(SdkException e) {
        return status(e) == NOT_FOUND;
    }

    /** Whether no HTTP response came back: time-out, reset, refused. A write may then have landed or not. */
    static boolean noAnswer(SdkException e) {
        return !(e instanceof AwsServiceException);
    }

    static IOException wrap(String operation, String bucket, String key, SdkException e) {
        return new IOException(describe(operation, bucket, key, e), e);
    }

    static String describe(String operation, String bucket, String key, SdkException e) {
        StringBuilder message = new StringBuilder("S3 ").append(operation).append(" of s3://").append(bucket)
                .append('/').append(key).append(" failed: ");
        if (e instanceof AwsServiceException service) {
            message.append("HTTP ").append(service.statusCode());
            if (service.awsErrorDetails() != null && service.awsErrorDetails().errorCode() != null) {
                message.append(' ').append(service.awsErrorDetails().errorCode());
            }
            if (service.awsErrorDetails() != null && service.awsErrorDetails().errorMessage() != null) {
                message.append(": ").append(service.awsErrorDetails().errorMessage());
            }
            if (service.requestId() != null) {
                message.append(" (request id ").append(service.requestId()).append(')');
            }
        } else {
            message.append(e.getMessage());
        }
        return message.toString();
    }
}
