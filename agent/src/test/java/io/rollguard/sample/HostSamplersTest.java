package io.rollguard.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.config.ConfigException;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.MetricCatalogue;
import io.rollguard.config.SamplerSettings;
import io.rollguard.store.SeriesKey;
import io.rollguard.store.SeriesWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import oshi.SystemInfo;

class HostSamplersTest {
    private static final Path FIXTURE = Fixtures.path("/fixtures/proc");

    /** The store keys each sampler's series by its name: two samplers with one name would replace each other's. */
    @Test
    void createsOneSamplerPerConfigurableName() throws ConfigException {
        List<Sampler> samplers = HostSamplers.create(new SystemInfo(), ConfigLoader.loadDefault());

        assertThat(samplers).map(Sampler::name).containsExactlyElementsOf(SamplerSettings.NAMES);
    }

    /**
     * Renaming a family breaks every dashboard and rule that uses it: the golden file makes that a deliberate act.
     * Each sampler is fed readings in which every family it has is present.
     */
    @Test
    void exportedFamiliesMatchTheGoldenFile() throws IOException {
        Set<String> families = new TreeSet<>();
        // (the process sampler has sampled once already: its CPU ratio needs a previous sample)
        for (Sampler sampler : FixtureSamplers.all()) {
            SeriesWriter out = new SeriesWriter();
            sampler.sample(out);
            for (SeriesKey key : out.values().keySet()) {
                families.add(sampler.name() + " " + key.family().name() + " "
                        + key.family().type().name().toLowerCase(Locale.ROOT));
            }
        }

        assertThat(String.join("\n", families) + "\n").isEqualTo(Fixtures.text("/golden/host-families.txt"));
    }

    /**
     * The loader accepts a series name in a rule only if the catalogue says a sampler writes it: a family written
     * but missing there would be refused in every rule, one listed but never written would keep a rule unknown.
     */
    @Test
    void eachSamplerWritesExactlyTheFamiliesTheCatalogueListsForIt() throws IOException {
        for (Sampler sampler : FixtureSamplers.all()) {
            SeriesWriter out = new SeriesWriter();
            sampler.sample(out);

            assertThat(WrittenSeries.families(out)).as("families written by the %s sampler", sampler.name())
                    .containsExactlyInAnyOrderElementsOf(MetricCatalogue.SAMPLERS.get(sampler.name()));
        }
        assertThat(MetricCatalogue.SAMPLERS.keySet()).containsExactlyElementsOf(SamplerSettings.NAMES);
    }
}
