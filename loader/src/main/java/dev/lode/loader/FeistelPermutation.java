package dev.lode.loader;

/**
 * A keyed bijection of [0, size): a balanced Feistel network over the smallest even bit width w >= 2 with
 * 2^w >= size, and cycle-walking back into range. Because 2^w < 4 * size, a lookup walks fewer than 4 times on
 * average. Constant time and memory per lookup; immutable and thread-safe. See docs/ORDER.md, "Feistel bijection".
 */
final class FeistelPermutation {
    static final int ROUNDS = 6;
    /** The largest domain: w = 62 keeps every intermediate value a non-negative Java long. */
    static final long MAX_SIZE = 1L << 62;

    private final long size;
    private final int halfBits;
    private final long halfMask;
    private final long key0;
    private final long key1;
    private final long key2;
    private final long key3;
    private final long key4;
    private final long key5;

    FeistelPermutation(long size, long permutationKey) {
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("Feistel domain size must be in [1, 2^62], got " + size);
        }
        this.size = size;
        this.halfBits = halfBits(size);
        this.halfMask = (1L << halfBits) - 1;
        // Six fields, not an array: a lookup in block mode builds one of these per call, and fields let the JIT
        // keep it in registers.
        this.key0 = OrderHashes.roundKey(permutationKey, 0);
        this.key1 = OrderHashes.roundKey(permutationKey, 1);
        this.key2 = OrderHashes.roundKey(permutationKey, 2);
        this.key3 = OrderHashes.roundKey(permutationKey, 3);
        this.key4 = OrderHashes.roundKey(permutationKey, 4);
        this.key5 = OrderHashes.roundKey(permutationKey, 5);
    }

    /** Half the smallest even width w >= 2 with 2^w >= size. */
    static int halfBits(long size) {
        int bits = 64 - Long.numberOfLeadingZeros(size - 1);
        bits = Math.max(2, bits + (bits & 1));
        return bits / 2;
    }

    long size() {
        return size;
    }

    /** The image of x, which must be in [0, size). */
    long apply(long x) {
        long y = x;
        do {
            y = encrypt(y);
        } while (y >= size);
        return y;
    }

    /** One pass of the network over [0, 2^w). */
    long encrypt(long x) {
        long left = x >>> halfBits;
        long right = x & halfMask;
        long next;
        next = left ^ (OrderHashes.mix64(key0 ^ right) & halfMask);
        left = right;
        right = next;
        next = left ^ (OrderHashes.mix64(key1 ^ right) & halfMask);
        left = right;
        right = next;
        next = left ^ (OrderHashes.mix64(key2 ^ right) & halfMask);
        left = right;
        right = next;
        next = left ^ (OrderHashes.mix64(key3 ^ right) & halfMask);
        left = right;
        right = next;
        next = left ^ (OrderHashes.mix64(key4 ^ right) & halfMask);
        left = right;
        right = next;
        next = left ^ (OrderHashes.mix64(key5 ^ right) & halfMask);
        left = right;
        right = next;
        return (left << halfBits) | right;
    }
}
