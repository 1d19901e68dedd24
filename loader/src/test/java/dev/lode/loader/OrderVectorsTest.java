package dev.lode.loader;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The test vectors of docs/ORDER.md. The resource order-vectors.txt holds them; this test recomputes every line, and
 * checks that the document quotes the same lines. To regenerate after a spec change (a new SPEC_VERSION only), run
 * with -Dlode.writeVectors=/path/to/order-vectors.txt.
 */
class OrderVectorsTest {
    private static final HexFormat HEX = HexFormat.of();

    static List<String> compute() {
        List<String> lines = new ArrayList<>();
        for (long input : new long[] {0, 1, 42, -1}) {
            lines.add("mix64 " + HEX.toHexDigits(input) + " " + HEX.toHexDigits(OrderHashes.mix64(input)));
        }
        lines.add("key 42 0 1 0 " + HEX.toHexDigits(OrderHashes.permutationKey(42, 0, 1, 0)));
        lines.add("key 42 1 2 0 " + HEX.toHexDigits(OrderHashes.permutationKey(42, 1, 2, 0)));
        lines.add("key 42 0 3 5 " + HEX.toHexDigits(OrderHashes.permutationKey(42, 0, 3, 5)));
        for (long n : new long[] {1, 2, 10, 17, 1000, 1_000_000_007L, 1L << 40}) {
            for (long seed : new long[] {0, 42}) {
                for (long epoch : new long[] {0, 1}) {
                    lines.add(vector(OrderPlan.global(TestRandom.COMMIT, n, seed, 1, TailPolicy.DROP), epoch));
                }
            }
        }
        long[][] layouts = {{5, 3, 8, 1, 7, 4, 6, 2}, {16}, {3, 3, 3, 3, 3, 3, 3, 3, 3, 3}};
        for (long[] layout : layouts) {
            for (int window : new int[] {1, 2, 3}) {
                lines.add(vector(OrderPlan.block(TestRandom.COMMIT, DatasetLayout.ofRowGroups(layout), window, 42, 1,
                        TailPolicy.DROP), 0));
            }
        }
        lines.add(vector(OrderPlan.block(TestRandom.COMMIT, DatasetLayout.ofRowGroups(layouts[0]), 2, 7, 1,
                TailPolicy.DROP), 3));
        lines.add(vector(OrderPlan.sequential(TestRandom.COMMIT, 20, 1, TailPolicy.DROP), 0));
        return lines;
    }

    /** mode, row groups, window, seed, epoch | sample indices of positions 0..min(16, N)-1. */
    private static String vector(OrderPlan plan, long epoch) {
        DatasetLayout layout = plan.layout();
        long[] rows = new long[layout.rowGroupCount()];
        for (int g = 0; g < rows.length; g++) {
            rows[g] = layout.rowGroupRows(g);
        }
        EpochOrder order = plan.epoch(epoch);
        StringBuilder line = new StringBuilder();
        line.append(plan.mode().token()).append(' ')
                .append(Arrays.stream(rows).mapToObj(Long::toString).collect(Collectors.joining(","))).append(' ')
                .append(plan.windowRowGroups()).append(' ').append(plan.seed()).append(' ').append(epoch).append(" |");
        for (long p = 0; p < Math.min(16, order.size()); p++) {
            line.append(' ').append(order.sampleAt(p));
        }
        return line.toString();
    }

    @Test
    void vectorsMatchTheResourceAndTheSpec() throws IOException {
        List<String> computed = compute();
        String target = System.getProperty("lode.writeVectors");
        if (target != null) {
            Files.write(Path.of(target), computed, StandardCharsets.UTF_8);
        }
        List<String> stored;
        try (InputStream in = OrderVectorsTest.class.getResourceAsStream("order-vectors.txt")) {
            assertTrue(in != null, "missing resource order-vectors.txt");
            stored = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        }
        assertEquals(String.join("\n", stored), String.join("\n", computed));
        // The spec quotes every vector verbatim; surefire runs in the module directory.
        Path spec = Path.of("..", "docs", "ORDER.md");
        String document = Files.readString(spec, StandardCharsets.UTF_8);
        for (String line : stored) {
            assertTrue(document.contains("\n" + line + "\n"), "docs/ORDER.md lacks the vector line: " + line);
        }
    }
}
