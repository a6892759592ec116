package io.rollguard.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SeriesStoreTest {
    private static final MetricFamily USED = MetricFamily.gauge("rollguard_test_used_ratio", "Test.");
    private static final Duration PERIOD = Duration.ofSeconds(5);
    private static final Duration STALE_AFTER = Duration.ofSeconds(15);
    private static final Duration EVERY_SECOND = Duration.ofSeconds(1);
    private static final long SECOND = 1_000_000_000L;

    private final SeriesStore store = new SeriesStore();

    @Test
    void aProducerReplacesItsWholeSetSoVanishedSeriesDisappear() {
        store.replace("sampler:fs", new SeriesWriter()
                .put(USED, LabelSet.of("mount", "/"), 0.5)
                .put(USED, LabelSet.of("mount", "/data"), 0.7), 0, PERIOD, STALE_AFTER);
        store.replace("sampler:fs", new SeriesWriter().put(USED, LabelSet.of("mount", "/"), 0.6), SECOND, PERIOD,
                STALE_AFTER);

        assertThat(store.fresh(SECOND))
                .containsExactly(new Series(new SeriesKey(USED, LabelSet.of("mount", "/")), 0.6, SECOND));
    }

    @Test
    void producersDoNotDisturbEachOther() {
        store.replace("a", new SeriesWriter().put(USED, LabelSet.of("x", "a"), 1), 0, PERIOD, STALE_AFTER);
        store.replace("b", new SeriesWriter().put(USED, LabelSet.of("x", "b"), 2), 0, PERIOD, STALE_AFTER);
        store.replace("a", new SeriesWriter(), SECOND, PERIOD, STALE_AFTER);

        assertThat(store.fresh(SECOND)).extracting(Series::value).containsExactly(2.0);
    }

    @Test
    void seriesGoStaleWhenTheirProducerStopsCommitting() {
        store.replace("sampler:cpu", new SeriesWriter().put(USED, 0.3), 0, PERIOD, STALE_AFTER);

        assertThat(store.fresh(15 * SECOND)).hasSize(1);
        assertThat(store.fresh(15 * SECOND + 1)).as("stale data is absent, never a frozen last value").isEmpty();
    }

    @Test
    void nanIsLeftOutAndTheInfinitiesAreValues() {
        store.replace("a", new SeriesWriter().put(USED, Double.NaN)
                .put(USED, LabelSet.of("x", "+"), Double.POSITIVE_INFINITY)
                .put(USED, LabelSet.of("x", "-"), Double.NEGATIVE_INFINITY), 0, PERIOD, STALE_AFTER);

        assertThat(store.fresh(0)).extracting(Series::value)
                .containsExactly(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
    }

    @Test
    void aNanReadingKeepsTheHistory() {
        store.track("test_used_ratio", Duration.ofMinutes(1));
        store.replace("a", new SeriesWriter().put(USED, 1), 0, EVERY_SECOND, STALE_AFTER);
        store.replace("a", new SeriesWriter().put(USED, Double.NaN), SECOND, EVERY_SECOND, STALE_AFTER);

        SeriesView view = store.view(SECOND);
        assertThat(view.latest("test_used_ratio")).as("no data for an instant read").isEmpty();
        assertThat(view.range("test_used_ratio")).singleElement().extracting(SeriesHistory::size).isEqualTo(1);
    }

    @Test
    void removeForgetsAProducerAtOnce() {
        store.replace("check:api", new SeriesWriter().put(USED, 1), 0, PERIOD, STALE_AFTER);
        store.remove("check:api");

        assertThat(store.fresh(0)).isEmpty();
    }

    @Test
    void namesResolveAsWrittenThenWithThePrefix() {
        MetricFamily scraped = MetricFamily.counter("http_requests_total", "Test.");
        MetricFamily shadowed = MetricFamily.gauge("memory_used_ratio", "Test.");
        store.replace("a", new SeriesWriter().put(USED, 0.5).put(scraped, 3), 0, PERIOD, STALE_AFTER);

        SeriesView view = store.view(0);

        assertThat(view.latest("test_used_ratio")).extracting(Series::value).containsExactly(0.5);
        assertThat(view.latest("rollguard_test_used_ratio")).extracting(Series::value).containsExactly(0.5);
        assertThat(view.latest("http_requests_total")).extracting(Series::value).containsExactly(3.0);
        assertThat(view.latest("rollguard_http_requests_total")).isEmpty();
        assertThat(view.latest("nothing")).isEmpty();

        store.replace("b", new SeriesWriter().put(shadowed, 0.9), 0, PERIOD, STALE_AFTER);
        assertThat(store.view(0).latest("memory_used_ratio")).as("a series with the name as written wins")
                .extracting(Series::value).containsExactly(0.9);
    }

    @Test
    void aViewIsAPictureOfOneMoment() {
        store.replace("a", new SeriesWriter().put(USED, 0.5), 0, PERIOD, STALE_AFTER);
        SeriesView view = store.view(SECOND);

        store.replace("a", new SeriesWriter().put(USED, 0.7), SECOND, PERIOD, STALE_AFTER);

        assertThat(view.nowNanos()).isEqualTo(SECOND);
        assertThat(view.latest("test_used_ratio")).extracting(Series::value).containsExactly(0.5);
    }

    @Test
    void twoProducersOfOneLabelSetShowTheFirst() {
        store.replace("a", new SeriesWriter().put(USED, LabelSet.of("x", "1"), 1), 0, PERIOD, STALE_AFTER);
        store.replace("b", new SeriesWriter().put(USED, LabelSet.of("x", "1"), 2), 0, PERIOD, STALE_AFTER);

        assertThat(store.view(0).latest("test_used_ratio")).hasSize(1);
    }

    @Test
    void historyIsKeptOnlyForTrackedFamilies() {
        MetricFamily other = MetricFamily.gauge("rollguard_other", "Test.");
        store.track("test_used_ratio", Duration.ofMinutes(5));
        for (int second = 0; second < 10; second++) {
            store.replace("a", new SeriesWriter().put(USED, second).put(other, second), second * SECOND, EVERY_SECOND,
                    STALE_AFTER);
        }

        SeriesView view = store.view(9 * SECOND);

        assertThat(view.range("test_used_ratio")).hasSize(1);
        assertThat(view.range("rollguard_test_used_ratio")).hasSize(1);
        assertThat(view.range("other")).isEmpty();
        assertThat(view.range("test_used_ratio").get(0).size()).isEqualTo(10);
    }

    /** Window, the producer's period, the ring's capacity: window/period rounded up, plus two. */
    @ParameterizedTest(name = "{0} at {1}")
    @CsvSource({
        "PT5M, PT1S, 302",
        "PT5M, PT5S, 62",
        "PT5M, PT7S, 45",
        "PT1S, PT30S, 3",
        "PT24H, PT0.1S, 65536"
    })
    void ringsCoverTheWindowAtTheProducersPeriod(Duration window, Duration period, int capacity) {
        store.track("test_used_ratio", window);
        store.replace("a", new SeriesWriter().put(USED, 1), 0, period, STALE_AFTER);

        assertThat(store.view(0).range("test_used_ratio").get(0).capacity()).isEqualTo(capacity);
    }

    @Test
    void aLongerWindowGrowsTheRingsAndKeepsTheirHistory() {
        store.track("test_used_ratio", Duration.ofSeconds(10));
        for (int second = 0; second < 20; second++) {
            store.replace("a", new SeriesWriter().put(USED, second), second * SECOND, EVERY_SECOND, STALE_AFTER);
        }
        store.track("test_used_ratio", Duration.ofSeconds(30));
        store.track("test_used_ratio", Duration.ofSeconds(20));
        store.replace("a", new SeriesWriter().put(USED, 20), 20 * SECOND, EVERY_SECOND, STALE_AFTER);

        SeriesHistory history = store.view(20 * SECOND).range("test_used_ratio").get(0);
        SampleBuffer buffer = new SampleBuffer();
        history.read(Duration.ofSeconds(30), 20 * SECOND, buffer);

        assertThat(history.capacity()).isEqualTo(32);
        assertThat(buffer.size()).as("the 12 samples of the old ring and the new one").isEqualTo(13);
    }

    @Test
    void replacingTheTrackingDropsHistoryNoRuleReads() {
        MetricFamily other = MetricFamily.gauge("rollguard_other", "Test.");
        store.track("test_used_ratio", Duration.ofMinutes(1));
        store.track("other", Duration.ofMinutes(1));
        store.replace("a", new SeriesWriter().put(USED, 1).put(other, 1), 0, EVERY_SECOND, STALE_AFTER);

        store.trackOnly(Map.of("rollguard_other", Duration.ofMinutes(1)));
        store.replace("a", new SeriesWriter().put(USED, 2).put(other, 2), SECOND, EVERY_SECOND, STALE_AFTER);

        SeriesView view = store.view(SECOND);
        assertThat(view.range("test_used_ratio")).isEmpty();
        assertThat(view.range("other")).hasSize(1);
        assertThat(view.range("other").get(0).size()).as("kept across the reload").isEqualTo(2);
    }

    @Test
    void aSeriesMissingFromARunKeepsItsHistoryForRangeReadsOnly() {
        store.track("test_used_ratio", Duration.ofMinutes(1));
        store.replace("sampler:fs", new SeriesWriter()
                .put(USED, LabelSet.of("mount", "/"), 1)
                .put(USED, LabelSet.of("mount", "/media/usb"), 1), 0, EVERY_SECOND, STALE_AFTER);
        store.replace("sampler:fs", new SeriesWriter().put(USED, LabelSet.of("mount", "/"), 2), SECOND, EVERY_SECOND,
                STALE_AFTER);

        SeriesView gap = store.view(SECOND);
        assertThat(gap.latest("test_used_ratio")).extracting(s -> s.key().labels().get("mount")).containsExactly("/");
        assertThat(gap.range("test_used_ratio")).extracting(h -> h.key().labels().get("mount") + "=" + h.size())
                .containsExactly("/=2", "/media/usb=1");
        assertThat(gap.range("test_used_ratio", "mount", "/media/usb")).hasSize(1);

        store.replace("sampler:fs", new SeriesWriter()
                .put(USED, LabelSet.of("mount", "/"), 3)
                .put(USED, LabelSet.of("mount", "/media/usb"), 3), 2 * SECOND, EVERY_SECOND, STALE_AFTER);

        List<SeriesHistory> histories = store.view(2 * SECOND).range("test_used_ratio");
        assertThat(histories).extracting(h -> h.key().labels().get("mount") + "=" + h.size())
                .as("one series across the gap").containsExactlyInAnyOrder("/=3", "/media/usb=2");
    }

    @Test
    void aSeriesAbsentForLongerThanTheWindowIsDropped() {
        store.track("test_used_ratio", Duration.ofSeconds(10));
        store.replace("a", new SeriesWriter().put(USED, LabelSet.of("x", "gone"), 1).put(USED, 1), 0, EVERY_SECOND,
                STALE_AFTER);
        for (int second = 1; second <= 9; second++) {
            store.replace("a", new SeriesWriter().put(USED, 1), second * SECOND, EVERY_SECOND, STALE_AFTER);
        }
        assertThat(store.historyCount("a")).as("9 s after its last sample, a 10 s window still reaches it")
                .isEqualTo(2);

        store.replace("a", new SeriesWriter().put(USED, 1), 10 * SECOND, EVERY_SECOND, STALE_AFTER);

        assertThat(store.historyCount("a")).isEqualTo(1);
        assertThat(store.view(10 * SECOND).range("test_used_ratio", "x", "gone")).isEmpty();
    }

    @Test
    void aNameOnlyInHistoryResolvesAsWritten() {
        MetricFamily scraped = MetricFamily.counter("x_total", "Test.");
        store.track("x_total", Duration.ofMinutes(1));
        store.replace("source:app", new SeriesWriter().put(scraped, 1), 0, EVERY_SECOND, STALE_AFTER);
        store.replace("source:app", new SeriesWriter(), SECOND, EVERY_SECOND, STALE_AFTER);

        SeriesView view = store.view(SECOND);
        assertThat(view.latest("x_total")).isEmpty();
        assertThat(view.range("x_total")).hasSize(1);
    }

    @Test
    void staleProducersKeepTheirHistoryForRangeReadsAndRemovedOnesLoseIt() {
        store.track("test_used_ratio", Duration.ofMinutes(1));
        store.replace("a", new SeriesWriter().put(USED, 1), 0, EVERY_SECOND, STALE_AFTER);
        store.replace("b", new SeriesWriter().put(USED, LabelSet.of("x", "b"), 1), 0, EVERY_SECOND, STALE_AFTER);

        SeriesView stale = store.view(STALE_AFTER.toNanos() + 1);
        assertThat(stale.latest("test_used_ratio")).isEmpty();
        assertThat(stale.range("test_used_ratio")).hasSize(2);
        store.remove("a");
        assertThat(store.view(0).range("test_used_ratio")).hasSize(1);
    }

    @Test
    void manyRunsNeverGrowTheHistory() {
        store.track("test_used_ratio", Duration.ofMinutes(5));
        for (int second = 0; second < 10_000; second++) {
            store.replace("a", new SeriesWriter()
                    .put(USED, LabelSet.of("x", "1"), second)
                    .put(USED, LabelSet.of("x", "2"), second), second * SECOND, EVERY_SECOND, STALE_AFTER);
        }

        assertThat(store.view(9_999 * SECOND).range("test_used_ratio"))
                .allSatisfy(history -> {
                    assertThat(history.capacity()).isEqualTo(302);
                    assertThat(history.size()).isEqualTo(302);
                });
    }

    @Test
    void rejectsAPeriodOrWindowThatIsNotPositive() {
        assertThatThrownBy(() -> store.replace("a", new SeriesWriter(), 0, Duration.ZERO, STALE_AFTER))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a producer's period must be positive, got PT0S");
        assertThatThrownBy(() -> store.track("x", Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a history window must be positive, got PT-1S for x");
    }
}
