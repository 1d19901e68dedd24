package dev.lode.cli;

import dev.lode.engine.Transfers;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * A bytes progress bar (amount, rate, ETA, and for transfers objects done of planned) on stderr when enabled;
 * otherwise does nothing at all.
 */
final class Progress implements AutoCloseable {
    private final ProgressBar bar;
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong objects = new AtomicLong();
    private volatile long plannedObjects;
    private volatile long max;

    private Progress(ProgressBar bar, long max) {
        this.bar = bar;
        this.max = max;
    }

    static Progress bytes(boolean enabled, String task, long total) {
        if (!enabled) {
            return new Progress(null, total);
        }
        ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(Math.max(1, total))
                .setUnit(" MiB", 1 << 20).showSpeed().setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(200).setMaxRenderedLength(120).continuousUpdate()
                .setSpeedUnit(java.time.temporal.ChronoUnit.SECONDS)
                .setEtaFunction(state -> java.util.Optional.of(eta(state.getCurrent(), state.getMax(),
                        state.getTotalElapsed())))
                .setConsumer(new me.tongfei.progressbar.InteractiveConsoleProgressBarConsumer(System.err))
                .build();
        return new Progress(bar, total);
    }

    /** A bar for a push or pull, sized when the transfer has planned what it moves. */
    static Progress transfer(boolean enabled, String task) {
        return bytes(enabled, task, 0);
    }

    private static Duration eta(long current, long max, Duration elapsed) {
        if (current <= 0) {
            return Duration.ZERO;
        }
        return Duration.ofMillis((long) (elapsed.toMillis() * ((double) Math.max(0, max - current) / current)));
    }

    LongConsumer listener() {
        return bytes -> {
            long now = done.addAndGet(bytes);
            if (bar != null) {
                if (now > max) {
                    max = now;
                    bar.maxHint(now);
                }
                bar.stepTo(now);
            }
        };
    }

    /** Sizes the bar from the transfer's plan, then counts objects and bytes as they arrive. */
    Transfers.Listener transferListener() {
        LongConsumer bytes = listener();
        return new Transfers.Listener() {
            @Override
            public void planned(long objectCount, long byteCount) {
                plannedObjects = objectCount;
                if (bar != null) {
                    max = Math.max(1, byteCount);
                    bar.maxHint(max);
                    bar.setExtraMessage(" 0/" + objectCount + " objects");
                }
            }

            @Override
            public void arrived(long size) {
                long count = objects.incrementAndGet();
                if (bar != null) {
                    bar.setExtraMessage(" " + count + "/" + Math.max(count, plannedObjects) + " objects");
                }
                bytes.accept(size);
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
