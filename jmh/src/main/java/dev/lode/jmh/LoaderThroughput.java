package dev.lode.jmh;

import dev.lode.engine.Repository;
import dev.lode.engine.Revision;
import dev.lode.loader.Batch;
import dev.lode.loader.Loader;
import dev.lode.loader.OrderMode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Drives Lode's {@link Loader} over a dataset for bench/loader-vs-pytorch.sh and prints one line:
 * {@code samples=N seconds=S samples_per_second=R steady_samples_per_second=W}. The first clock covers building the
 * loader (resolving the version), every fragment decode and every batch of every epoch, as the PyTorch side's clock
 * covers its DataLoader; the steady rate counts epochs 1.. only, once every fragment is decoded (0 with one epoch).
 *
 * <pre>java ... dev.lode.jmh.LoaderThroughput REPO DATASET@REV BATCH EPOCHS THREADS [global|block]</pre>
 */
public final class LoaderThroughput {
    private LoaderThroughput() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 5 || args.length > 6) {
            System.err.println("usage: LoaderThroughput REPO DATASET@REV BATCH EPOCHS THREADS [global|block]");
            System.exit(1);
        }
        Path repositoryPath = Path.of(args[0]);
        Revision revision = Revision.parse(args[1]);
        int batch = Integer.parseInt(args[2]);
        int epochs = Integer.parseInt(args[3]);
        int threads = Integer.parseInt(args[4]);
        OrderMode mode = args.length == 6 ? OrderMode.valueOf(args[5].toUpperCase(Locale.ROOT)) : OrderMode.GLOBAL;
        try (Repository repository = Repository.open(repositoryPath)) {
            long start = System.nanoTime();
            long samples = 0;
            long checksum = 0;
            long steadyStart = 0;
            long steadySamples = 0;
            try (Loader loader = Loader.builder(repository, revision).seed(1).globalBatchSize(batch).epochs(epochs)
                    .orderMode(mode).threads(threads).cacheBytes(4L << 30).build()) {
                for (Batch delivered : loader) {
                    try (delivered) {
                        if (delivered.epoch() == 1 && delivered.step() == 0) {
                            steadyStart = System.nanoTime();
                        }
                        if (delivered.epoch() >= 1) {
                            steadySamples += delivered.rowCount();
                        }
                        samples += delivered.rowCount();
                        // Touch the batch as a training step would see it, so nothing is optimised away.
                        checksum += delivered.root().getVector(0).getValueCount();
                    }
                }
            }
            long end = System.nanoTime();
            double seconds = (end - start) / 1e9;
            double steady = steadySamples == 0 ? 0 : steadySamples / ((end - steadyStart) / 1e9);
            if (checksum != samples) {
                throw new IllegalStateException("Delivered " + samples + " samples but vectors held " + checksum);
            }
            System.out.printf(Locale.ROOT, "samples=%d seconds=%.3f samples_per_second=%.1f"
                    + " steady_samples_per_second=%.1f%n", samples, seconds, samples / seconds, steady);
        }
    }
}
