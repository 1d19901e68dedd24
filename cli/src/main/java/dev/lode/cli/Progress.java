package dev.lode.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/** A bytes progress bar (amount, rate, ETA) on stderr when enabled; otherwise does nothing at all. */
final class Progress implements AutoCloseable {
    private final ProgressBar bar;
    private final AtomicLong done = new AtomicLong();

    private Progress(ProgressBar bar) {
        this.bar = bar;
    }

    static Progress bytes(boolean enabled, String task, long total) {
        if (!enabled) {
            return new Progress(null);
        }
        ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(Math.max(1, total))
                .setUnit(" MiB", 1 << 20).showSpeed().setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(200).setMaxRenderedLength(100).continuousUpdate()
                .setSpeedUnit(java.time.temporal.ChronoUnit.SECONDS)
                .setEtaFunction(state -> java.util.Optional.of(eta(state.getCurrent(), state.getMax(),
                        state.getTotalElapsed())))
                .setConsumer(new me.tongfei.progressbar.InteractiveConsoleProgressBarConsumer(System.err))
                .build();
        return new Progress(bar);
    }

    private static Duration eta(long current, long max, Duration elapsed) {
        if (current <= 0) {
            return Duration.ZERO;
        }
        return Duration.ofMillis((long) (elapsed.toMillis() * ((double) (max - current) / current)));
    }

    LongConsumer listener() {
        return bytes -> {
            long now = done.addAndGet(bytes);
            if (bar != null) {
                bar.stepTo(now);
            }
        };
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
