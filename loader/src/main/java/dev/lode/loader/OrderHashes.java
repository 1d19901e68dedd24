package dev.lode.loader;

/**
 * The keyed hashing that the order specification (docs/ORDER.md, "Mixing and keys") is built on. Every operation is
 * on unsigned 64-bit words with wrap-around arithmetic, so another language reimplements it bit for bit.
 */
final class OrderHashes {
    /** The SplitMix64 increment, 2^64 / golden ratio. */
    static final long GAMMA = 0x9E3779B97F4A7C15L;
    /** ASCII "lodeord1" read big-endian; bumping the spec version changes it. */
    static final long SALT = 0x6C6F64656F726431L;

    static final long PURPOSE_GLOBAL_SAMPLES = 1;
    static final long PURPOSE_BLOCK_ROW_GROUPS = 2;
    static final long PURPOSE_BLOCK_WINDOW = 3;

    private OrderHashes() {
    }

    /** The SplitMix64 finalizer (Stafford's Mix13): a bijection on 64-bit words. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Folds one word into a running key. */
    static long absorb(long key, long value) {
        return mix64(key ^ mix64(value + GAMMA));
    }

    /** The key of one permutation: which epoch, for what purpose, and (for block windows) which window. */
    static long permutationKey(long seed, long epoch, long purpose, long index) {
        return absorb(absorb(absorb(absorb(SALT, seed), epoch), purpose), index);
    }

    /** Round key i (from 0) of a permutation key: the (i+1)-th output of SplitMix64 seeded with the key. */
    static long roundKey(long permutationKey, int round) {
        return mix64(permutationKey + (round + 1) * GAMMA);
    }
}
