package dev.lode.loader;

import java.util.Random;

/** A seeded random source that prints its seed, so any failure replays with -Dtests.seed=SEED. */
final class TestRandom {
    private TestRandom() {
    }

    static Random create(String test) {
        String property = System.getProperty("tests.seed");
        long seed = property != null ? Long.parseLong(property) : System.nanoTime();
        System.out.println(test + ": tests.seed=" + seed);
        return new Random(seed);
    }

    static final String COMMIT = "a".repeat(64);
    static final String OTHER_COMMIT = "b".repeat(64);
}
