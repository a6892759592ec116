package io.rollguard.sample;

import static java.util.Objects.requireNonNull;

import io.rollguard.config.MetricCatalogue;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesWriter;
import java.util.Locale;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import oshi.hardware.CentralProcessor;
import oshi.hardware.CentralProcessor.TickType;

/**
 * CPU usage from the kernel's cumulative tick counters: the share of time in each mode between two samples, across
 * all logical CPUs, plus the core counts and the load averages. The first sample has no predecessor, so it reports
 * shares since boot, as {@code top} does.
 */
final class CpuSampler implements Sampler {
    static final MetricFamily USAGE = MetricFamily.gauge("rollguard_cpu_usage_ratio",
            "Share of CPU time spent not idle (nor waiting for I/O) across all logical CPUs since the previous sample.");
    static final MetricFamily MODE = MetricFamily.gauge("rollguard_cpu_mode_ratio",
            "Share of CPU time spent in each mode across all logical CPUs since the previous sample; sums to 1.");
    static final MetricFamily CORES = MetricFamily.gauge("rollguard_cpu_cores", "Logical CPUs of the host.");
    static final MetricFamily PHYSICAL_CORES =
            MetricFamily.gauge("rollguard_cpu_physical_cores", "Physical CPU cores of the host.");
    static final MetricFamily LOAD1 = MetricFamily.gauge("rollguard_load1",
            "Load average over 1 minute: tasks running, runnable or in uninterruptible sleep, as uptime shows.");
    static final MetricFamily LOAD5 = MetricFamily.gauge("rollguard_load5", "Load average over 5 minutes.");
    static final MetricFamily LOAD15 = MetricFamily.gauge("rollguard_load15", "Load average over 15 minutes.");

    private static final TickType[] MODES = TickType.values();
    private static final LabelSet[] MODE_LABELS = new LabelSet[MODES.length];
    private static final MetricFamily[] LOADS = {LOAD1, LOAD5, LOAD15};

    static {
        for (TickType mode : MODES) {
            MODE_LABELS[mode.getIndex()] = LabelSet.of("mode", mode.name().toLowerCase(Locale.ROOT));
        }
    }

    private final Supplier<long[]> ticks;
    private final Supplier<double[]> loadAverages;
    private final IntSupplier logicalCores;
    private final IntSupplier physicalCores;
    private long[] previous = new long[MODES.length];

    public CpuSampler(CentralProcessor processor) {
        this(processor::getSystemCpuLoadTicks, () -> processor.getSystemLoadAverage(LOADS.length),
                processor::getLogicalProcessorCount, processor::getPhysicalProcessorCount);
    }

    CpuSampler(Supplier<long[]> ticks, Supplier<double[]> loadAverages, IntSupplier logicalCores,
            IntSupplier physicalCores) {
        this.ticks = requireNonNull(ticks, "ticks");
        this.loadAverages = requireNonNull(loadAverages, "loadAverages");
        this.logicalCores = requireNonNull(logicalCores, "logicalCores");
        this.physicalCores = requireNonNull(physicalCores, "physicalCores");
    }

    @Override
    public String name() {
        return MetricCatalogue.CPU;
    }

    @Override
    public void sample(SeriesWriter out) {
        long[] current = ticks.get();
        long[] elapsed = elapsed(previous, current);
        out.put(USAGE, usage(elapsed));
        writeModes(elapsed, out);
        out.put(CORES, logicalCores.getAsInt());
        int physical = physicalCores.getAsInt();
        if (physical > 0) {
            out.put(PHYSICAL_CORES, physical);
        }
        double[] loads = loadAverages.get();
        for (int i = 0; i < LOADS.length && i < loads.length; i++) {
            // OSHI reports a negative average where the platform has none (Windows): absent, not zero.
            if (loads[i] >= 0) {
                out.put(LOADS[i], loads[i]);
            }
        }
        previous = current;
    }

    /**
     * Ticks per mode between two readings. A counter that went backwards counts as zero: the kernel documents that
     * iowait can decrease, and a negative share would be nonsense; so every share stays within 0..1 and they sum to 1.
     */
    static long[] elapsed(long[] before, long[] after) {
        long[] elapsed = new long[MODES.length];
        for (TickType mode : MODES) {
            int index = mode.getIndex();
            elapsed[index] = Math.max(0, after[index] - before[index]);
        }
        return elapsed;
    }

    /** The busy share of the elapsed ticks; NaN when no tick elapsed (the series is then left out). */
    static double usage(long[] elapsed) {
        long total = total(elapsed);
        long idle = elapsed[TickType.IDLE.getIndex()] + elapsed[TickType.IOWAIT.getIndex()];
        return total == 0 ? Double.NaN : (double) (total - idle) / total;
    }

    private static void writeModes(long[] elapsed, SeriesWriter out) {
        long total = total(elapsed);
        if (total == 0) {
            return;
        }
        for (TickType mode : MODES) {
            out.put(MODE, MODE_LABELS[mode.getIndex()], (double) elapsed[mode.getIndex()] / total);
        }
    }

    private static long total(long[] elapsed) {
        long total = 0;
        for (long ticks : elapsed) {
            total += ticks;
        }
        return total;
    }
}
