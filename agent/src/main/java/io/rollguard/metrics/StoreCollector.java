package io.rollguard.metrics;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.Series;
import io.rollguard.store.SeriesStore;
import io.rollguard.time.TimeSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Exposes the fresh series of the {@link SeriesStore} to the Prometheus registry, the way node_exporter's collectors
 * emit const metrics: built from the store at collection time, so a series that vanishes from the host vanishes
 * from {@code /metrics} without any meter to unregister.
 */
final class StoreCollector implements MultiCollector {
    private static final String OWN_PREFIX = "rollguard_";
    private final SeriesStore store;
    private final TimeSource time;

    StoreCollector(SeriesStore store, TimeSource time) {
        this.store = requireNonNull(store, "store");
        this.time = requireNonNull(time, "time");
    }

    @Override
    public MetricSnapshots collect() {
        Map<String, Family> families = new LinkedHashMap<>();
        for (Series series : store.fresh(time.nanoTime())) {
            MetricFamily family = series.key().family();
            if (!family.name().startsWith(OWN_PREFIX)) {
                continue; // a [[source]]'s series: for rules, not re-exported (Prometheus reads the application)
            }
            // Two producers writing one label set would make the snapshot invalid; the first one wins.
            families.computeIfAbsent(family.name(), name -> new Family(family))
                    .points.putIfAbsent(series.key().labels(), series.value());
        }
        List<MetricSnapshot> snapshots = new ArrayList<>(families.size());
        for (Family family : families.values()) {
            snapshots.add(family.snapshot());
        }
        return new MetricSnapshots(snapshots);
    }

    private static final class Family {
        private final MetricFamily family;
        private final Map<LabelSet, Double> points = new LinkedHashMap<>();

        Family(MetricFamily family) {
            this.family = family;
        }

        MetricSnapshot snapshot() {
            String name = family.name();
            switch (family.type()) {
                case GAUGE: {
                    GaugeSnapshot.Builder builder = GaugeSnapshot.builder().name(name).help(family.help());
                    points.forEach((labels, value) -> builder.dataPoint(
                            GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels(labels)).value(value).build()));
                    return builder.build();
                }
                case COUNTER: {
                    CounterSnapshot.Builder builder = CounterSnapshot.builder()
                            .name(name.substring(0, name.length() - "_total".length())).help(family.help());
                    points.forEach((labels, value) -> builder.dataPoint(
                            CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels(labels)).value(value)
                                    .build()));
                    return builder.build();
                }
                case INFO: {
                    InfoSnapshot.Builder builder = InfoSnapshot.builder()
                            .name(name.substring(0, name.length() - "_info".length())).help(family.help());
                    points.keySet().forEach(labels -> builder.dataPoint(
                            InfoSnapshot.InfoDataPointSnapshot.builder().labels(labels(labels)).build()));
                    return builder.build();
                }
            }
            throw new AssertionError(family.type());
        }

        private static Labels labels(LabelSet set) {
            String[] names = new String[set.size()];
            String[] values = new String[set.size()];
            for (int i = 0; i < set.size(); i++) {
                names[i] = set.name(i);
                values[i] = set.value(i);
            }
            return Labels.of(names, values);
        }
    }
}
