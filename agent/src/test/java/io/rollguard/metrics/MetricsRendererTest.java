package io.rollguard.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesStore;
import io.rollguard.store.SeriesWriter;
import io.rollguard.time.FakeTime;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MetricsRendererTest {
    private static final Duration PERIOD = Duration.ofSeconds(5);
    private static final Duration STALE_AFTER = Duration.ofSeconds(15);

    private final FakeTime time = new FakeTime();
    private final SeriesStore store = new SeriesStore();
    private final MetricsRenderer renderer = new MetricsRenderer(store, time);

    @Test
    void rendersEachTypeUnderItsPrometheusName() {
        store.replace("test", new SeriesWriter()
                .put(MetricFamily.info("rollguard_build_info", "Version."), LabelSet.of("version", "1.2.3"), 1)
                .put(MetricFamily.gauge("rollguard_memory_used_ratio", "Used."), 0.25)
                .put(MetricFamily.counter("rollguard_sampler_errors_total", "Errors."), LabelSet.of("sampler", "cpu"), 3)
                .put(MetricFamily.gauge("rollguard_filesystem_size_bytes", "Size \"quoted\" \\ back."),
                        LabelSet.of("mount", "/we\"ird\\path\n"), 1e12),
                time.nanoTime(), PERIOD, STALE_AFTER);

        renderer.render();

        assertThat(text()).isEqualTo("""
                # HELP rollguard_build_info Version.
                # TYPE rollguard_build_info gauge
                rollguard_build_info{version="1.2.3"} 1
                # HELP rollguard_filesystem_size_bytes Size "quoted" \\\\ back.
                # TYPE rollguard_filesystem_size_bytes gauge
                rollguard_filesystem_size_bytes{mount="/we\\"ird\\\\path\\n"} 1.0E12
                # HELP rollguard_memory_used_ratio Used.
                # TYPE rollguard_memory_used_ratio gauge
                rollguard_memory_used_ratio 0.25
                # HELP rollguard_sampler_errors_total Errors.
                # TYPE rollguard_sampler_errors_total counter
                rollguard_sampler_errors_total{sampler="cpu"} 3.0
                """);
        assertThat(ExpositionFormat.parse(text())).hasSize(4);
        assertThat(new String(renderer.latest().openMetricsText(), StandardCharsets.UTF_8))
                .contains("# TYPE rollguard_build info", "rollguard_sampler_errors_total{sampler=\"cpu\"} 3.0")
                .endsWith("# EOF\n");
    }

    @Test
    void twoProducersWritingOneSeriesDoNotBreakTheScrape() {
        MetricFamily up = MetricFamily.gauge("rollguard_check_up", "Up.");
        store.replace("a", new SeriesWriter().put(up, LabelSet.of("check", "api"), 1), time.nanoTime(), PERIOD, STALE_AFTER);
        store.replace("b", new SeriesWriter().put(up, LabelSet.of("check", "api"), 0), time.nanoTime(), PERIOD, STALE_AFTER);

        renderer.render();

        assertThat(ExpositionFormat.parse(text())).hasSize(1);
    }

    @Test
    void staleSeriesLeaveTheOutputAtTheNextRender() {
        store.replace("sampler:cpu", new SeriesWriter().put(MetricFamily.gauge("rollguard_cpu_usage_ratio", "CPU."), 0.5),
                time.nanoTime(), PERIOD, STALE_AFTER);
        renderer.render();
        assertThat(text()).contains("rollguard_cpu_usage_ratio 0.5");

        time.advance(STALE_AFTER.plusSeconds(1));
        renderer.render();

        assertThat(text()).isEmpty();
    }

    private String text() {
        return new String(renderer.latest().prometheusText(), StandardCharsets.UTF_8);
    }
}
