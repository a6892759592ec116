package io.rollguard.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SeriesStoreTest {
    private static final MetricFamily USED = MetricFamily.gauge("rollguard_test_used_ratio", "Test.");
    private static final Duration STALE_AFTER = Duration.ofSeconds(15);
    private static final long SECOND = 1_000_000_000L;

    private final SeriesStore store = new SeriesStore();

    @Test
    void aProducerReplacesItsWholeSetSoVanishedSeriesDisappear() {
        store.replace("sampler:fs", new SeriesWriter()
                .put(USED, LabelSet.of("mount", "/"), 0.5)
                .put(USED, LabelSet.of("mount", "/data"), 0.7), 0, STALE_AFTER);
        store.replace("sampler:fs", new SeriesWriter().put(USED, LabelSet.of("mount", "/"), 0.6), SECOND, STALE_AFTER);

        assertThat(store.fresh(SECOND))
                .containsExactly(new Series(new SeriesKey(USED, LabelSet.of("mount", "/")), 0.6, SECOND));
    }

    @Test
    void producersDoNotDisturbEachOther() {
        store.replace("a", new SeriesWriter().put(USED, LabelSet.of("x", "a"), 1), 0, STALE_AFTER);
        store.replace("b", new SeriesWriter().put(USED, LabelSet.of("x", "b"), 2), 0, STALE_AFTER);
        store.replace("a", new SeriesWriter(), SECOND, STALE_AFTER);

        assertThat(store.fresh(SECOND)).extracting(Series::value).containsExactly(2.0);
    }

    @Test
    void seriesGoStaleWhenTheirProducerStopsCommitting() {
        store.replace("sampler:cpu", new SeriesWriter().put(USED, 0.3), 0, STALE_AFTER);

        assertThat(store.fresh(15 * SECOND)).hasSize(1);
        assertThat(store.fresh(15 * SECOND + 1)).as("stale data is absent, never a frozen last value").isEmpty();
    }

    @Test
    void nonFiniteValuesAreLeftOut() {
        store.replace("a", new SeriesWriter().put(USED, Double.NaN).put(USED, LabelSet.of("x", "y"),
                Double.POSITIVE_INFINITY), 0, STALE_AFTER);

        assertThat(store.fresh(0)).isEmpty();
    }

    @Test
    void removeForgetsAProducerAtOnce() {
        store.replace("check:api", new SeriesWriter().put(USED, 1), 0, STALE_AFTER);
        store.remove("check:api");

        assertThat(store.fresh(0)).isEmpty();
    }
}
