package dev.lode.engine;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

import static java.util.Objects.requireNonNull;

/**
 * The name of an immutable object: the SHA-256 of its bytes, written as 64 lowercase hexadecimal digits.
 * Instances are immutable and thread-safe.
 */
public final class ObjectId implements Comparable<ObjectId> {
    public static final int HEX_LENGTH = 64;
    private static final HexFormat HEX = HexFormat.of();

    private final byte[] hash;
    private final String hex;

    private ObjectId(byte[] hash) {
        this.hash = hash;
        this.hex = HEX.formatHex(hash);
    }

    /**
     * Parses exactly 64 lowercase hexadecimal digits. Anything else, which includes an object name read from an
     * untrusted remote, is rejected with a message naming the input.
     */
    public static ObjectId parse(String hex) {
        requireNonNull(hex, "object id is null");
        if (!isValid(hex)) {
            throw new LodeException("Invalid object id '" + Names.printable(hex, 80)
                    + "': expected 64 lowercase hexadecimal digits");
        }
        return new ObjectId(HEX.parseHex(hex));
    }

    /** Whether the text is an object id: exactly 64 lowercase hexadecimal digits. */
    public static boolean isValid(String hex) {
        if (hex == null || hex.length() != HEX_LENGTH) {
            return false;
        }
        for (int i = 0; i < HEX_LENGTH; i++) {
            char c = hex.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    public static ObjectId fromDigest(byte[] sha256) {
        if (sha256.length != 32) {
            throw new IllegalArgumentException("SHA-256 digest has 32 bytes, got " + sha256.length);
        }
        return new ObjectId(sha256.clone());
    }

    /** The id of the given bytes. */
    public static ObjectId hashOf(byte[] bytes) {
        MessageDigest digest = newDigest();
        return new ObjectId(digest.digest(bytes));
    }

    /** A new SHA-256 digest. */
    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    public String hex() {
        return hex;
    }

    /** The first 12 digits, for human-facing output. */
    public String abbreviated() {
        return hex.substring(0, 12);
    }

    public byte[] toBytes() {
        return hash.clone();
    }

    @Override
    public int compareTo(ObjectId other) {
        return Arrays.compareUnsigned(hash, other.hash);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ObjectId id && Arrays.equals(hash, id.hash);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(hash);
    }

    @Override
    public String toString() {
        return hex;
    }
}
