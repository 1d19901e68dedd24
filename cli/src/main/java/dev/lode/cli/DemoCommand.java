package dev.lode.cli;

import dev.lode.engine.LodeException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

@Command(name = "demo", description = {"Run the main job end to end on a local repository in DIR "
        + "(default ./demo-repo, recreated each run):",
        "generate a legacy CSV (100,000 rows, mixed types), import it, tag it, append rows and import again, "
                + "show log and diff, verify, then replay batches and resume a stream exactly."})
final class DemoCommand implements Callable<Integer> {
    static final int ROWS = 100_000;
    static final int APPENDED = 1_000;
    private static final long SEED = 20261123L;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "demo-repo",
            description = "Folder for the demo repository and data (default: ${DEFAULT-VALUE}).")
    Path folder;

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        prepareFolder();
        Path csv = folder.resolve("data").resolve("train.csv");
        Files.createDirectories(csv.getParent());
        String repo = folder.toString();

        say("1. A legacy dataset: " + csv + " (" + ROWS + " rows: id, label, score, name, active, day, measured_at)");
        writeCsv(csv, ROWS);
        step("init", repo);
        step("import", "--repo", repo, "demo", csv.toString(), "-m", "First import of the legacy CSV");
        step("tag", "--repo", repo, "demo", "v1");

        say("");
        say("2. New rows arrive: " + APPENDED + " rows appended to " + csv);
        writeCsv(csv, ROWS + APPENDED);
        step("import", "--repo", repo, "demo", csv.toString(), "-m", "Append " + APPENDED + " rows");
        say("   Importing the same file again converts nothing and adds nothing:");
        step("import", "--repo", repo, "demo", csv.toString());

        say("");
        say("3. What changed");
        step("log", "--repo", repo, "demo");
        step("diff", "--repo", repo, "demo@v1", "demo@main");
        step("show", "--repo", repo, "demo@v1");
        step("verify", "--repo", repo);

        say("");
        say("4. Replay: the batch order is a pure function of (version, seed, epoch), for any rank count");
        step("order", "--repo", repo, "demo@v1", "--seed", "7", "--batch-size", "8", "--steps", "3");
        say("   Rank 1 of 2 gets the second half of each global batch:");
        step("order", "--repo", repo, "demo@v1", "--seed", "7", "--batch-size", "8", "--steps", "3", "--rank", "1",
                "--world-size", "2");
        Path full = folder.resolve("epoch0.arrows");
        Path resumed = folder.resolve("resumed.arrows");
        step("stream", "--repo", repo, "demo@v1", "--seed", "7", "--batch-size", "256", "--columns", "id,label,name",
                "--out", full.toString());
        say("   A run stopped at step 200 resumes there:");
        step("stream", "--repo", repo, "demo@v1", "--seed", "7", "--batch-size", "256", "--columns", "id,label,name",
                "--start-step", "200", "--out", resumed.toString());
        List<String> all = batches(full);
        List<String> tail = batches(resumed);
        if (all.size() < 200 || !all.subList(200, all.size()).equals(tail)) {
            throw new LodeException("demo: the resumed stream differs from the uninterrupted one");
        }
        say(String.format("   %d batches streamed; the %d batches of the resumed stream are identical to steps 200 "
                + "to %d of the uninterrupted one.", all.size(), tail.size(), all.size() - 1));

        say("");
        say(String.format("Done in %.1f s. Where to look next:", (System.nanoTime() - started) / 1e9));
        say("  ./lode show --repo " + repo + " demo --json        the version as JSON (schema, fragments, lineage)");
        say("  ./lode export --repo " + repo + " demo@v1 --to /tmp/v1 --format csv");
        say("  ls " + repo + "/.lode/objects                 content-addressed objects (docs/FORMAT.md)");
        say("  ./lode --help                                   every command");
        return 0;
    }

    private void prepareFolder() throws IOException {
        if (Files.exists(folder)) {
            boolean ours = Files.isDirectory(folder.resolve(".lode")) || Files.isDirectory(folder.resolve("data"));
            try (Stream<Path> entries = Files.list(folder)) {
                if (!ours && entries.findAny().isPresent()) {
                    throw new LodeException("Refusing to reuse " + folder + ": it is not empty and not a demo folder");
                }
            }
            try (Stream<Path> walk = Files.walk(folder)) {
                for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
        Files.createDirectories(folder);
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static void step(String... args) {
        List<String> shown = new ArrayList<>();
        for (String arg : args) {
            shown.add(arg.contains(" ") ? "\"" + arg + "\"" : arg);
        }
        say("");
        say("$ lode " + String.join(" ", shown));
        int code = Main.run(args);
        if (code != 0) {
            throw new LodeException("demo step 'lode " + String.join(" ", shown) + "' failed with exit code " + code);
        }
    }

    /** Each record batch of an Arrow IPC stream file, rendered as text (row by row, every column). */
    private static List<String> batches(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        try (org.apache.arrow.memory.BufferAllocator allocator = new org.apache.arrow.memory.RootAllocator();
             java.io.InputStream in = Files.newInputStream(file);
             org.apache.arrow.vector.ipc.ArrowStreamReader reader =
                     new org.apache.arrow.vector.ipc.ArrowStreamReader(in, allocator)) {
            while (reader.loadNextBatch()) {
                out.add(reader.getVectorSchemaRoot().contentToTSVString());
            }
        }
        return out;
    }

    /** A deterministic legacy CSV: the first n rows are the same for every n, so a longer file is an append. */
    static void writeCsv(Path file, int rows) throws IOException {
        String[] names = {"alpha", "bravo", "charlie", "delta", "echo", "fox, trot", "golf \"g\"", "hotel"};
        LocalDate epoch = LocalDate.of(2024, 1, 1);
        SplittableRandom random = new SplittableRandom(SEED);
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("id,label,score,name,active,day,measured_at\n");
            for (int i = 0; i < rows; i++) {
                int label = random.nextInt(10);
                double score = Math.round(random.nextDouble() * 1e6) / 1e4;
                String name = names[random.nextInt(names.length)];
                boolean active = random.nextInt(3) != 0;
                LocalDate day = epoch.plusDays(random.nextInt(700));
                long seconds = random.nextLong(86_400);
                out.write(Integer.toString(i));
                out.write(',');
                out.write(Integer.toString(label));
                out.write(',');
                out.write(i % 97 == 0 ? "" : Double.toString(score));
                out.write(',');
                out.write(name.indexOf(',') >= 0 || name.indexOf('"') >= 0
                        ? "\"" + name.replace("\"", "\"\"") + "\"" : name);
                out.write(',');
                out.write(active ? "true" : "false");
                out.write(',');
                out.write(day.toString());
                out.write(',');
                out.write(day + "T" + String.format("%02d:%02d:%02dZ", seconds / 3600, seconds / 60 % 60,
                        seconds % 60));
                out.write('\n');
            }
        }
    }
}
