package dev.lode.cli;

import dev.lode.engine.FragmentEntry;
import dev.lode.engine.LodeException;
import dev.lode.engine.Manifest;
import dev.lode.engine.Repository;
import dev.lode.engine.ResolvedRevision;
import dev.lode.engine.Revision;
import dev.lode.loader.DatasetLayout;
import dev.lode.loader.EpochReport;
import dev.lode.loader.OrderCheck;
import dev.lode.loader.OrderPlan;
import dev.lode.loader.OrderPrinter;
import dev.lode.loader.TailPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "order", description = {
        "Print the sample order of an epoch without reading any data: one line per batch holding this rank's "
                + "sample indices separated by single spaces (docs/ORDER.md).",
        "The order is a pure function of (version, seed, epoch, order mode, batch size, tail policy): the oracle "
                + "for what a training run sees."})
final class OrderCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    OrderOptions ordering;

    @Parameters(index = "0", paramLabel = "DATASET[@REV]")
    String revision;

    @Option(names = "--epoch", defaultValue = "0", paramLabel = "E")
    long epoch;

    @Option(names = "--from-step", defaultValue = "0", paramLabel = "N", description = "First step within the epoch.")
    long fromStep;

    @Option(names = "--steps", paramLabel = "K", description = "How many steps (default: to the end of the epoch).")
    Long steps;

    @Option(names = "--check", description = "Verify the whole epoch instead of printing it: every sample once "
            + "(or as the tail policy says) and equal batch counts on every rank.")
    boolean check;

    @Override
    public Integer call() throws Exception {
        try (Repository repository = common.openRepository()) {
            ResolvedRevision resolved = repository.resolve(Revision.parse(revision));
            Manifest manifest = repository.readManifest(resolved.commit().manifest());
            OrderPlan plan = plan(resolved.commitId().hex(), manifest);
            if (check) {
                EpochReport report = OrderCheck.verifyEpoch(plan, epoch, ordering.worldSize);
                if (common.json) {
                    common.printJson(dev.lode.engine.json.Json.object().put("passed", report.passed())
                            .put("epoch", report.epoch()).put("worldSize", report.worldSize())
                            .put("steps", report.steps()).put("delivered", report.delivered())
                            .put("distinct", report.distinct()).put("missing", report.missing())
                            .put("repeated", report.repeated()).putStrings("problems", report.problems()).build());
                } else {
                    System.out.println(report);
                }
                if (!report.passed()) {
                    throw new LodeException("order check failed: " + String.join("; ", report.problems()));
                }
                return 0;
            }
            long perEpoch = plan.stepsPerEpoch();
            if (fromStep < 0 || fromStep > perEpoch) {
                throw new LodeException("--from-step " + fromStep + " is outside the epoch's " + perEpoch + " steps");
            }
            long count = steps != null ? steps : perEpoch - fromStep;
            BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8),
                    1 << 16);
            OrderPrinter.print(out, plan, ordering.rank, ordering.worldSize, Math.addExact(Math.multiplyExact(epoch, perEpoch), fromStep),
                    count, common.json ? OrderPrinter.Format.JSON : OrderPrinter.Format.TEXT);
            out.flush();
        }
        return 0;
    }

    private OrderPlan plan(String commit, Manifest manifest) {
        if (manifest.rows() == 0) {
            throw new LodeException("Dataset version " + revision + " has no rows to order");
        }
        TailPolicy policy = ordering.tailPolicy();
        return switch (ordering.mode()) {
            case GLOBAL -> OrderPlan.global(commit, manifest.rows(), ordering.seed, ordering.batchSize, policy);
            case SEQUENTIAL -> OrderPlan.sequential(commit, manifest.rows(), ordering.batchSize, policy);
            case BLOCK -> {
                List<FragmentEntry> fragments = manifest.fragments().stream().filter(f -> f.rows() > 0).toList();
                long[] rows = new long[fragments.size()];
                for (int i = 0; i < rows.length; i++) {
                    rows[i] = fragments.get(i).rows();
                }
                yield OrderPlan.block(commit, DatasetLayout.ofRowGroups(rows), Math.min(ordering.window, rows.length),
                        ordering.seed, ordering.batchSize, policy);
            }
        };
    }
}
