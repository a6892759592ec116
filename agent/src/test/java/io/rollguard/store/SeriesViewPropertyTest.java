package io.rollguard.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The store's view, which resolves names lazily and indexes series by label, against the plain reading of the
 * store: every fresh series, in the store's order, the first of two producers of one label set winning.
 */
class SeriesViewPropertyTest {
    private static final Duration PERIOD = Duration.ofSeconds(1);
    private static final List<String> NAMES = List.of("rollguard_used_ratio", "used_ratio", "requests_total");
    private static final List<String> LABELS = List.of("instance", "mount");
    private static final List<String> VALUES = List.of("a", "b", "c", "");

    /** One written series: which producer, name, family variant and label values, all as indexes. */
    record Written(int producer, int name, int help, int instance, int mount) {}

    @Provide
    Arbitrary<List<Written>> written() {
        return Combinators.combine(Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 2),
                        Arbitraries.integers().between(0, 1), Arbitraries.integers().between(0, 3),
                        Arbitraries.integers().between(0, 3))
                .as(Written::new)
                .list().ofMaxSize(40);
    }

    @Property(seed = "20261122")
    void lookupsByLabelKeepWhatFilteringEverySeriesKeeps(
            @ForAll("written") List<Written> written, @ForAll @IntRange(max = 3) int runs) {
        SeriesStore store = new SeriesStore();
        for (String name : NAMES) {
            store.track(name, Duration.ofMinutes(1));
        }
        long now = 0;
        for (int run = 0; run <= runs; run++) {
            now = run * PERIOD.toNanos();
            for (int producer = 0; producer < 3; producer++) {
                SeriesWriter writer = new SeriesWriter();
                for (Written series : written) {
                    if (series.producer() == producer) {
                        writer.put(family(series), labels(series), run + series.instance());
                    }
                }
                store.replace("producer-" + producer, writer, now, PERIOD, PERIOD.multipliedBy(3));
            }
        }

        SeriesView view = store.view(now);
        for (String name : List.of("used_ratio", "rollguard_used_ratio", "requests_total", "nothing")) {
            List<Series> expected = reference(store.fresh(now), name);
            assertThat(view.latest(name)).as(name).isEqualTo(expected);
            assertThat(keys(view.range(name))).as(name).isEqualTo(expected.stream().map(Series::key).toList());
            for (String label : LABELS) {
                for (String value : VALUES) {
                    List<Series> matching = expected.stream()
                            .filter(series -> SeriesStore.valueOf(series.key().labels(), label).equals(value))
                            .toList();
                    assertThat(view.latest(name, label, value)).as("%s{%s=%s}", name, label, value)
                            .isEqualTo(matching);
                    assertThat(keys(view.range(name, label, value))).as("%s{%s=%s}", name, label, value)
                            .isEqualTo(matching.stream().map(Series::key).toList());
                }
            }
        }
    }

    /** The name as written when a fresh series has it, else prefixed; one series per label set, the first. */
    private static List<Series> reference(List<Series> fresh, String name) {
        String resolved = fresh.stream().anyMatch(series -> series.key().family().name().equals(name))
                || name.startsWith(SeriesStore.PREFIX) ? name : SeriesStore.PREFIX + name;
        Map<LabelSet, Series> byLabels = new LinkedHashMap<>();
        for (Series series : fresh) {
            if (series.key().family().name().equals(resolved)) {
                byLabels.putIfAbsent(series.key().labels(), series);
            }
        }
        return new ArrayList<>(byLabels.values());
    }

    private static List<SeriesKey> keys(List<SeriesHistory> histories) {
        return histories.stream().map(SeriesHistory::key).toList();
    }

    /** Two families per name that differ only in help text: one label set of a name must still be one series. */
    private static MetricFamily family(Written series) {
        String name = NAMES.get(series.name());
        String help = "Variant " + series.help() + ".";
        return name.endsWith("_total") ? MetricFamily.counter(name, help) : MetricFamily.gauge(name, help);
    }

    private static LabelSet labels(Written series) {
        List<String> pairs = new ArrayList<>();
        if (!VALUES.get(series.instance()).isEmpty()) {
            pairs.add("instance");
            pairs.add(VALUES.get(series.instance()));
        }
        if (!VALUES.get(series.mount()).isEmpty()) {
            pairs.add("mount");
            pairs.add(VALUES.get(series.mount()));
        }
        return LabelSet.of(pairs.toArray(new String[0]));
    }
}
