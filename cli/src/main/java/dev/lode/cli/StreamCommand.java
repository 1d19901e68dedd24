package dev.lode.cli;

import dev.lode.engine.Repository;
import dev.lode.engine.Revision;
import dev.lode.loader.Batch;
import dev.lode.loader.Loader;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "stream", description = {
        "Write this rank's batches as an Arrow IPC stream: one record batch per step, holding the chosen columns plus "
                + "_epoch, _step and _sample (int64), in the order `lode order` prints (docs/ORDER.md)."})
final class StreamCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    OrderOptions ordering;

    @Parameters(index = "0", paramLabel = "DATASET[@REV]")
    String revision;

    @Option(names = "--start-step", defaultValue = "0", paramLabel = "G",
            description = "First global step (epoch * steps per epoch + step).")
    long startStep;

    @Option(names = "--columns", split = ",", paramLabel = "A,B", description = "Columns to write (default all).")
    List<String> columns = List.of();

    @Option(names = "--epochs", defaultValue = "1", paramLabel = "N", description = "Stop after epoch N - 1.")
    long epochs;

    @Option(names = "--threads", defaultValue = "2", paramLabel = "T", description = "Loader threads; output is the "
            + "same for any count.")
    int threads;

    @Option(names = "--out", defaultValue = "-", paramLabel = "FILE", description = "Output file, or - for stdout.")
    String out;

    @Option(names = "--remote", paramLabel = "NAME", description = "When the revision is not in the local repository,"
            + " read it from this remote, fetching fragments on demand into the local cache (.lode/cache).")
    String remote;

    @Override
    public Integer call() throws Exception {
        try (Repository repository = common.openRepository();
             Remotes.Connection connection = remote == null ? null
                     : Remotes.connect(repository, Remotes.find(repository, remote));
             Loader loader = builder(repository, connection).seed(ordering.seed)
                     .globalBatchSize(ordering.batchSize).rank(ordering.rank, ordering.worldSize).columns(columns)
                     .orderMode(ordering.mode()).window(ordering.window).tailPolicy(ordering.tailPolicy())
                     .epochs(epochs).startStep(startStep).threads(threads).build();
             BufferAllocator allocator = new RootAllocator()) {
            List<Field> fields = new ArrayList<>(loader.schema().getFields());
            for (String name : List.of("_epoch", "_step", "_sample")) {
                fields.add(new Field(name, FieldType.notNullable(new ArrowType.Int(64, true)), null));
            }
            OutputStream target = out.equals("-") ? System.out : Files.newOutputStream(Path.of(out));
            try (VectorSchemaRoot output = VectorSchemaRoot.create(new Schema(fields), allocator);
                 OutputStream stream = new BufferedOutputStream(target, 1 << 16);
                 ArrowStreamWriter writer = new ArrowStreamWriter(output, null, stream)) {
                writer.start();
                int columnCount = loader.schema().getFields().size();
                for (Batch batch : loader) {
                    try (batch) {
                        write(batch, output, columnCount);
                    }
                    writer.writeBatch();
                }
                writer.end();
            }
        }
        return 0;
    }

    private Loader.Builder builder(Repository repository, Remotes.Connection connection) {
        Loader.Builder builder = Loader.builder(repository, Revision.parse(revision));
        return connection == null ? builder : builder.remote(connection.repository());
    }

    /** Copies the batch into the output root (the batch's slab is reused once it is closed). */
    private static void write(Batch batch, VectorSchemaRoot output, int columnCount) {
        int rows = batch.rowCount();
        output.clear();
        output.allocateNew();
        VectorSchemaRoot root = batch.root();
        for (int c = 0; c < columnCount; c++) {
            FieldVector from = root.getVector(c);
            FieldVector to = output.getVector(c);
            for (int i = 0; i < rows; i++) {
                to.copyFromSafe(i, i, from);
            }
            to.setValueCount(rows);
        }
        long[] samples = batch.samples();
        BigIntVector epoch = (BigIntVector) output.getVector(columnCount);
        BigIntVector step = (BigIntVector) output.getVector(columnCount + 1);
        BigIntVector sample = (BigIntVector) output.getVector(columnCount + 2);
        for (int i = 0; i < rows; i++) {
            epoch.setSafe(i, batch.epoch());
            step.setSafe(i, batch.step());
            sample.setSafe(i, samples[i]);
        }
        epoch.setValueCount(rows);
        step.setValueCount(rows);
        sample.setValueCount(rows);
        output.setRowCount(rows);
    }
}
