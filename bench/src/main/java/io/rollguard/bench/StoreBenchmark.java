package io.rollguard.bench;

import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SampleBuffer;
import io.rollguard.store.SeriesHistory;
import io.rollguard.store.SeriesStore;
import io.rollguard.store.SeriesView;
import io.rollguard.store.SeriesWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The store's two hot paths. {@code write}: one producer's run of 150 series (the size of the host samplers' tick),
 * 50 of them in a family a rule reads over a 5-minute window, so each run also appends to 50 history rings.
 * {@code windowQuery}: what a windowed rule does every tick: a view, the 50 tracked series of one name, and each
 * one's last 5 minutes (60 samples at a 5 s period) read into a buffer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StoreBenchmark {
    static final Duration PERIOD = Duration.ofSeconds(5);
    static final Duration WINDOW = Duration.ofMinutes(5);
    static final int SERIES = 150;
    static final int TRACKED = 50;

    private static final MetricFamily TRACKED_FAMILY =
            MetricFamily.gauge("rollguard_bench_tracked_ratio", "A family a rule reads over a window.");
    private static final MetricFamily PLAIN_FAMILY =
            MetricFamily.gauge("rollguard_bench_plain_bytes", "A family no rule reads over a window.");

    private SeriesStore store;
    private LabelSet[] labels;
    private long now;
    private final SampleBuffer buffer = new SampleBuffer();

    @Setup
    public void fill() {
        store = new SeriesStore();
        store.trackOnly(Map.of(TRACKED_FAMILY.name(), WINDOW));
        labels = new LabelSet[SERIES];
        for (int i = 0; i < SERIES; i++) {
            labels[i] = LabelSet.of("device", "dev" + i);
        }
        // Full rings: a window's worth of runs before measuring.
        for (int run = 0; run < 70; run++) {
            write();
        }
    }

    @Benchmark
    public SeriesStore write() {
        now += PERIOD.toNanos();
        SeriesWriter writer = new SeriesWriter(); // a producer writes a new one every run
        for (int i = 0; i < SERIES; i++) {
            writer.put(i < TRACKED ? TRACKED_FAMILY : PLAIN_FAMILY, labels[i], now * 1e-9 + i);
        }
        store.replace("bench", writer, now, PERIOD, PERIOD.multipliedBy(3));
        return store;
    }

    @Benchmark
    public double windowQuery() {
        SeriesView view = store.view(now);
        List<SeriesHistory> histories = view.range(TRACKED_FAMILY.name());
        double sum = 0;
        for (SeriesHistory history : histories) {
            history.read(WINDOW, now, buffer);
            for (int i = 0; i < buffer.size(); i++) {
                sum += buffer.value(i);
            }
        }
        return sum;
    }
}
