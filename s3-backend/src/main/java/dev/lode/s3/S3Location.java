package dev.lode.s3;

import dev.lode.engine.LodeException;
import dev.lode.engine.Names;

import static java.util.Objects.requireNonNull;

/**
 * A repository in a bucket: {@code s3://bucket/prefix}. The prefix has no leading or trailing '/' and may be empty;
 * objects then live under {@code prefix/objects/}, refs under {@code prefix/refs/} and logs under
 * {@code prefix/logs/}, the same layout as a local repository folder.
 */
public record S3Location(String bucket, String prefix) {
    private static final String SCHEME = "s3://";

    public S3Location {
        requireNonNull(bucket, "bucket is null");
        requireNonNull(prefix, "prefix is null");
        String problem = bucketProblem(bucket);
        if (problem != null) {
            throw new LodeException("Invalid S3 bucket name '" + Names.printable(bucket, 80) + "': " + problem);
        }
        problem = prefixProblem(prefix);
        if (problem != null) {
            throw new LodeException("Invalid S3 prefix '" + Names.printable(prefix, 200) + "': " + problem);
        }
    }

    /**
     * Parses {@code s3://bucket} or {@code s3://bucket/some/prefix}; leading, trailing and repeated '/' around the
     * prefix are removed. Anything else is rejected with a message that names the input.
     */
    public static S3Location parse(String uri) {
        requireNonNull(uri, "S3 location is null");
        if (!uri.startsWith(SCHEME)) {
            throw new LodeException("Invalid S3 location '" + Names.printable(uri, 200) + "': expected s3://bucket/prefix");
        }
        String rest = uri.substring(SCHEME.length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : normalise(rest.substring(slash + 1));
        if (bucket.isEmpty()) {
            throw new LodeException("Invalid S3 location '" + Names.printable(uri, 200) + "': the bucket is empty");
        }
        try {
            return new S3Location(bucket, prefix);
        } catch (LodeException e) {
            throw new LodeException("Invalid S3 location '" + Names.printable(uri, 200) + "': " + e.getMessage(), e);
        }
    }

    private static String normalise(String prefix) {
        StringBuilder out = new StringBuilder();
        for (String part : prefix.split("/")) {
            if (!part.isEmpty()) {
                if (!out.isEmpty()) {
                    out.append('/');
                }
                out.append(part);
            }
        }
        return out.toString();
    }

    /** The key of something at {@code relative} (such as {@code objects/ab/cd…}) inside this repository. */
    public String key(String relative) {
        return prefix.isEmpty() ? relative : prefix + "/" + relative;
    }

    /** Bucket naming rules for general-purpose buckets (3 to 63 of a-z 0-9 . -, no "..", not an IP address). */
    static String bucketProblem(String bucket) {
        if (bucket.isEmpty()) {
            return "it is empty";
        }
        if (bucket.length() < 3 || bucket.length() > 63) {
            return "it is " + bucket.length() + " characters long, bucket names have 3 to 63";
        }
        for (int i = 0; i < bucket.length(); i++) {
            char c = bucket.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) {
                return "it contains '" + Names.printable(String.valueOf(c), 8) + "' at position " + i
                        + "; only lowercase letters, digits, '.' and '-' are allowed";
            }
        }
        if (!Character.isLetterOrDigit(bucket.charAt(0)) || !Character.isLetterOrDigit(bucket.charAt(bucket.length() - 1))) {
            return "it must start and end with a letter or digit";
        }
        if (bucket.contains("..")) {
            return "it contains '..'";
        }
        if (bucket.matches("\\d+\\.\\d+\\.\\d+\\.\\d+")) {
            return "it looks like an IP address";
        }
        return null;
    }

    private static String prefixProblem(String prefix) {
        if (prefix.startsWith("/") || prefix.endsWith("/")) {
            return "it starts or ends with '/'";
        }
        if (prefix.contains("//")) {
            return "it contains '//'";
        }
        for (int i = 0; i < prefix.length(); i++) {
            char c = prefix.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "it contains a control character at position " + i;
            }
        }
        for (String part : prefix.split("/")) {
            if (part.equals(".") || part.equals("..")) {
                return "it contains a '" + part + "' part";
            }
        }
        if (prefix.length() > 512) {
            return "it is longer than 512 characters";
        }
        return null;
    }

    @Override
    public String toString() {
        return SCHEME + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }
}
