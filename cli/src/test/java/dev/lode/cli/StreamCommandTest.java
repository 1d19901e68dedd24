package dev.lode.cli;

import dev.lode.engine.FragmentEntry;
import dev.lode.engine.ImportRequest;
import dev.lode.engine.Manifest;
import dev.lode.engine.Repository;
import dev.lode.engine.ResolvedRevision;
import dev.lode.engine.Revision;
import dev.lode.engine.TestData;
import dev.lode.loader.DatasetLayout;
import dev.lode.loader.OrderPlan;
import dev.lode.loader.TailPolicy;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** lode stream writes the batches of the order plan, with the source's values. */
class StreamCommandTest {
    @TempDir
    Path folder;

    @Test
    void streamHoldsThePlansSamplesAndTheSourceValues() throws Exception {
        int rows = 1000;
        Path csv = TestData.csv(folder.resolve("t.csv"), 11, rows);
        Path repo = folder.resolve("repo");
        OrderPlan plan;
        try (Repository repository = Repository.init(repo)) {
            repository.importFiles(ImportRequest.of("t", List.of(csv)).withThreads(1));
            ResolvedRevision resolved = repository.resolve(Revision.parse("t"));
            Manifest manifest = repository.readManifest(resolved.commit().manifest());
            long[] counts = manifest.fragments().stream().mapToLong(FragmentEntry::rows).filter(r -> r > 0)
                    .toArray();
            plan = OrderPlan.block(resolved.commitId().hex(), DatasetLayout.ofRowGroups(counts),
                    Math.min(4, counts.length), 7, 64, TailPolicy.DROP);
        }
        Path out = folder.resolve("stream.arrows");
        int code = new CommandLine(new StreamCommand()).execute("t", "--repo", repo.toString(), "--seed", "7",
                "--batch-size", "64", "--rank", "1", "--world-size", "2", "--columns", "label,id", "--epochs", "2",
                "--start-step", "3", "--out", out.toString());
        assertEquals(0, code);
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        long steps = plan.stepsPerEpoch();
        long globalStep = 3;
        try (RootAllocator allocator = new RootAllocator();
             InputStream in = Files.newInputStream(out);
             ArrowStreamReader reader = new ArrowStreamReader(in, allocator)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            assertEquals(List.of("label", "id", "_epoch", "_step", "_sample"),
                    root.getSchema().getFields().stream().map(f -> f.getName()).toList());
            while (reader.loadNextBatch()) {
                long[] expected = plan.samplesFor(globalStep / steps, globalStep % steps, 1, 2);
                BigIntVector samples = (BigIntVector) root.getVector("_sample");
                long[] actual = new long[root.getRowCount()];
                for (int i = 0; i < actual.length; i++) {
                    actual[i] = samples.get(i);
                    assertEquals(globalStep / steps, ((BigIntVector) root.getVector("_epoch")).get(i));
                    assertEquals(globalStep % steps, ((BigIntVector) root.getVector("_step")).get(i));
                    assertEquals(actual[i], ((BigIntVector) root.getVector("id")).get(i));
                    String label = lines.get((int) actual[i] + 1).split(",")[1];
                    assertEquals(Long.parseLong(label), ((BigIntVector) root.getVector("label")).get(i));
                }
                assertArrayEquals(expected, actual, "global step " + globalStep);
                globalStep++;
            }
        }
        assertEquals(2 * steps, globalStep, "every step from 3 to the end of epoch 1");
    }
}
