package io.rollguard.bench;

import io.rollguard.metrics.MetricsRenderer;
import io.rollguard.metrics.RenderedMetrics;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesStore;
import io.rollguard.store.SeriesWriter;
import io.rollguard.time.TimeSource;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Rendering {@code /metrics} once, as the agent does every tick: both exposition formats (Prometheus text and
 * OpenMetrics) of a store holding {@code series} series in 20 families (gauges and counters with two labels each).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MetricsRenderBenchmark {
    static final int FAMILIES = 20;

    @Param({"500", "5000"})
    public int series;

    private MetricsRenderer renderer;

    @Setup
    public void fillStore() {
        SeriesStore store = new SeriesStore();
        SeriesWriter writer = new SeriesWriter();
        int perFamily = series / FAMILIES;
        for (int f = 0; f < FAMILIES; f++) {
            MetricFamily family = f % 2 == 0
                    ? MetricFamily.gauge("rollguard_bench_gauge_" + f + "_ratio", "A benchmark gauge.")
                    : MetricFamily.counter("rollguard_bench_counter_" + f + "_bytes_total", "A benchmark counter.");
            for (int s = 0; s < perFamily; s++) {
                writer.put(family, LabelSet.of("device", "dev" + s, "mode", f % 3 == 0 ? "read" : "write"),
                        s * 1_234.5 + f);
            }
        }
        // Fresh for as long as the benchmark runs: the renderer reads the store at the real time.
        store.replace("bench", writer, System.nanoTime(), Duration.ofSeconds(5), Duration.ofDays(1));
        renderer = new MetricsRenderer(store, TimeSource.system());
    }

    @Benchmark
    public RenderedMetrics render() {
        renderer.render();
        return renderer.latest();
    }
}
