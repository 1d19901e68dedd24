package dev.lode.engine;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Deterministic legacy files for tests: the first n rows are the same for any n, so a longer file is an append. */
public final class TestData {
    private TestData() {
    }

    public static Path csv(Path file, long seed, int rows) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        String[] words = {"cat", "dog", "bird, small", "fish \"gold\"", "", "ox"};
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("id,label,score,name,flag,day\n");
            for (int i = 0; i < rows; i++) {
                String word = words[random.nextInt(words.length)];
                out.write(i + "," + random.nextInt(10) + "," + (i % 101 == 0 ? "" : random.nextDouble()) + ","
                        + (word.contains(",") || word.contains("\"") ? "\"" + word.replace("\"", "\"\"") + "\"" : word)
                        + "," + random.nextBoolean() + ",2026-0" + (1 + random.nextInt(9)) + "-1" + random.nextInt(10)
                        + "\n");
            }
        }
        return file;
    }
}
