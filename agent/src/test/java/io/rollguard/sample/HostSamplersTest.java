package io.rollguard.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.config.ConfigException;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.FilesystemFilter;
import io.rollguard.config.MetricCatalogue;
import io.rollguard.config.process.ProcessSelector;
import io.rollguard.config.process.ProcessSettings;
import io.rollguard.config.SamplerSettings;
import io.rollguard.store.SeriesKey;
import io.rollguard.store.SeriesWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
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
        for (Sampler sampler : fixtureSamplers()) {
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
        for (Sampler sampler : fixtureSamplers()) {
            SeriesWriter out = new SeriesWriter();
            sampler.sample(out);

            assertThat(WrittenSeries.families(out)).as("families written by the %s sampler", sampler.name())
                    .containsExactlyInAnyOrderElementsOf(MetricCatalogue.SAMPLERS.get(sampler.name()));
        }
        assertThat(MetricCatalogue.SAMPLERS.keySet()).containsExactlyElementsOf(SamplerSettings.NAMES);
    }

    /** Every sampler, fed readings in which every family it has is present. */
    private static List<Sampler> fixtureSamplers() throws IOException {
        return List.of(
                new CpuSampler(() -> new long[] {100, 0, 50, 800, 50, 0, 0, 0}, () -> new double[] {1, 1, 1},
                        () -> 4, () -> 2),
                new MemorySampler(() -> new MemorySampler.Reading(8L << 30, 4L << 30, 2L << 30, 1L << 30)),
                new FilesystemSampler(FIXTURE, FilesystemFilter.DEFAULT,
                        mountPoint -> Optional.of(new FilesystemSampler.Space(100, 50, 40, 1000, 500))),
                new DiskSampler(FIXTURE),
                new NetworkSampler(FIXTURE),
                new SharedMemorySampler(FIXTURE, Fixtures.path("/fixtures/etc"), Fixtures.path("/fixtures/etc")),
                new PortSampler(FIXTURE, java.nio.ByteOrder.LITTLE_ENDIAN),
                processes());
    }

    /** A process sampler over the fixture tree that has sampled once, five seconds ago. */
    private static ProcessSampler processes() throws IOException {
        long[] nanos = {0};
        ProcessSampler sampler = new ProcessSampler(Fixtures.path("/fixtures/proc/processes"),
                Fixtures.path("/fixtures/cgroup/v2"), List.of(new ProcessSettings("backend",
                        new ProcessSelector.CommandLinePattern(Pattern.compile("src\\.main")))),
                () -> nanos[0] += 5_000_000_000L);
        sampler.sample(new SeriesWriter());
        return sampler;
    }
}
