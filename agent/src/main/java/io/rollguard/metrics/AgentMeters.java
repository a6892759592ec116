package io.rollguard.metrics;

import static java.util.Objects.requireNonNull;

import com.sun.management.OperatingSystemMXBean;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The agent's metrics about itself, through Micrometer's binders (JVM memory, GC, threads, classes, process CPU,
 * open files, uptime) and timers of its own (ticks, actions), in the registry that renders {@code /metrics}: so
 * that its own budget (resident memory, CPU, threads) is watched from Prometheus like any other process.
 */
public final class AgentMeters implements AutoCloseable {
    /**
     * Micrometer's names for two of its binders' meters break Prometheus' conventions (promtool check metrics
     * refuses "process_cpu_time_ns_total" and a "_count" gauge): the CPU time is exposed under the client libraries'
     * name, process_cpu_seconds_total, and the processor count is the host's figure (rollguard_cpu_cores). Configured
     * on the registry before any meter is registered.
     */
    static final MeterFilter PROMETHEUS_NAMES = MeterFilter.deny(id -> id.getName().equals("system.cpu.count")
            || id.getName().equals("process.cpu.time"));

    private final MeterRegistry registry;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Timer ticks;

    /** @param status the process's {@code /proc/self/status}, for its resident memory */
    public AgentMeters(MeterRegistry registry, Path status) {
        this.registry = requireNonNull(registry, "registry");
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
            FunctionCounter.builder("process.cpu", os, bean -> bean.getProcessCpuTime() / 1e9).baseUnit("seconds")
                    .description("CPU time the agent's process has used, user and system").register(registry);
        }
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        Gauge.builder("process.resident.memory", () -> residentBytes(status)).baseUnit("bytes")
                .description("The agent's resident set size (VmRSS)").register(registry);
        this.ticks = Timer.builder("rollguard.tick").description("How long the agent's ticks took")
                .register(registry);
    }

    /** Runs {@code tick} and records how long it took. */
    public void timeTick(Runnable tick) {
        ticks.record(tick);
    }

    /** Records one finished run of {@code action}, by how it ended ({@code ok}, {@code failed}, ...). */
    public void actionFinished(String action, String result, Duration took) {
        Timer.builder("rollguard.action").description("How long the agent's action runs took, by how they ended")
                .tag("action", action).tag("result", result).register(registry).record(took);
    }

    /** VmRSS from {@code /proc/self/status}, in bytes; NaN where it cannot be read. */
    static double residentBytes(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    String[] fields = line.substring("VmRSS:".length()).trim().split("\\s+");
                    return Long.parseLong(fields[0]) * 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    @Override
    public void close() {
        gc.close();
    }
}
