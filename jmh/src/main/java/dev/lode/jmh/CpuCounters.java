package dev.lode.jmh;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.lang.management.ManagementFactory;

/**
 * Process CPU time (all threads: workers, JIT, GC) spent in the measured operations, summed per iteration, beside
 * the work done. On a machine shared with other jobs wall-clock rates swing widely; work per CPU-second is the
 * steadier figure to compare before and after a change: {@code work / cpuSeconds}.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class CpuCounters {
    private static final com.sun.management.OperatingSystemMXBean SYSTEM =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** CPU seconds of the whole process during the operations of this iteration. */
    public double cpuSeconds;
    /** The work of those operations, in the unit the benchmark names (source MB, rows). */
    public double work;
    private long started;

    @Setup(Level.Iteration)
    public void reset() {
        cpuSeconds = 0;
        work = 0;
    }

    void start() {
        started = SYSTEM.getProcessCpuTime();
    }

    void stop(double done) {
        cpuSeconds += (SYSTEM.getProcessCpuTime() - started) / 1e9;
        work += done;
    }
}
