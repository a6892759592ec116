package io.rollguard.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.config.FilesystemFilter;
import io.rollguard.sample.FilesystemSampler.Mount;
import io.rollguard.store.SeriesWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import oshi.SystemInfo;

class FilesystemSamplerTest {
    private static final long GIB = 1L << 30;
    private static final Pattern SIZE_OF_MOUNT =
            Pattern.compile("rollguard_filesystem_size_bytes\\{.*mount=\"([^\"]*)\"}");
    private static final FilesystemFilter EVERYTHING = new FilesystemFilter(List.of(), List.of(), List.of(), List.of());

    private static final Mount ROOT = new Mount("/", "ext4", "/dev/vda1", 100 * GIB, 30 * GIB, 25 * GIB, 6_000_000,
            5_000_000);
    private static final Mount SHM = new Mount("/dev/shm", "tmpfs", "tmpfs", 4 * GIB, 4 * GIB, 4 * GIB, 1_000_000,
            999_999);
    private static final Mount DATA = new Mount("/srv/data", "btrfs", "/dev/sdb", 1000 * GIB, 500 * GIB, 500 * GIB, 0,
            0);
    private static final Mount EMPTY = new Mount("/mnt/gone", "ext4", "/dev/sdc", 0, 0, 0, 0, 0);

    private static Map<String, Double> sample(FilesystemFilter filter, Mount... mounts) {
        SeriesWriter out = new SeriesWriter();
        new FilesystemSampler(() -> List.of(mounts), filter).sample(out);
        return WrittenSeries.of(out);
    }

    @Test
    void writesSpaceAndInodesPerMount() {
        String labels = "{device=\"/dev/vda1\",fstype=\"ext4\",mount=\"/\"}";

        assertThat(sample(FilesystemFilter.DEFAULT, ROOT)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "rollguard_filesystem_size_bytes" + labels, 100.0 * GIB,
                "rollguard_filesystem_free_bytes" + labels, 30.0 * GIB,
                "rollguard_filesystem_available_bytes" + labels, 25.0 * GIB,
                "rollguard_filesystem_used_ratio" + labels, 70.0 / 95.0,
                "rollguard_filesystem_inodes" + labels, 6_000_000.0,
                "rollguard_filesystem_inodes_free" + labels, 5_000_000.0));
    }

    @Test
    void inodesAreLeftOutWhereTheFilesystemHasNoFixedCount() {
        assertThat(sample(FilesystemFilter.DEFAULT, DATA)).containsOnlyKeys(
                "rollguard_filesystem_size_bytes{device=\"/dev/sdb\",fstype=\"btrfs\",mount=\"/srv/data\"}",
                "rollguard_filesystem_free_bytes{device=\"/dev/sdb\",fstype=\"btrfs\",mount=\"/srv/data\"}",
                "rollguard_filesystem_available_bytes{device=\"/dev/sdb\",fstype=\"btrfs\",mount=\"/srv/data\"}",
                "rollguard_filesystem_used_ratio{device=\"/dev/sdb\",fstype=\"btrfs\",mount=\"/srv/data\"}");
    }

    @Test
    void aFilesystemWithoutSizeIsLeftOut() {
        assertThat(sample(EVERYTHING, EMPTY)).isEmpty();
    }

    @Test
    void theFilterDecidesWhichMountsAreWritten() {
        assertThat(mounts(sample(FilesystemFilter.DEFAULT, ROOT, SHM, DATA)))
                .containsExactly("/", "/srv/data");
        assertThat(mounts(sample(EVERYTHING, ROOT, SHM, DATA))).containsExactly("/", "/dev/shm", "/srv/data");
        FilesystemFilter onlyTmpfs = new FilesystemFilter(List.of(Pattern.compile("/dev/.*")), List.of(),
                List.of("tmpfs"), List.of());
        assertThat(mounts(sample(onlyTmpfs, ROOT, SHM, DATA))).containsExactly("/dev/shm");
    }

    @Test
    void runsEveryTenSecondsUnlessTheTickIsLonger() {
        FilesystemSampler sampler = new FilesystemSampler(List::of, FilesystemFilter.DEFAULT);

        assertThat(sampler.defaultPeriod(Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(10));
        assertThat(sampler.defaultPeriod(Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void readsTheRealHost() {
        SeriesWriter everything = new SeriesWriter();
        SeriesWriter defaults = new SeriesWriter();

        new FilesystemSampler(new SystemInfo().getOperatingSystem().getFileSystem(), EVERYTHING).sample(everything);
        new FilesystemSampler(new SystemInfo().getOperatingSystem().getFileSystem(), FilesystemFilter.DEFAULT)
                .sample(defaults);

        Map<String, Double> series = WrittenSeries.of(everything);
        assertThat(WrittenSeries.families(everything)).contains("rollguard_filesystem_size_bytes",
                "rollguard_filesystem_free_bytes", "rollguard_filesystem_available_bytes",
                "rollguard_filesystem_used_ratio");
        series.forEach((key, value) -> {
            assertThat(value).as(key).isGreaterThanOrEqualTo(0.0);
            if (key.startsWith("rollguard_filesystem_used_ratio")) {
                assertThat(value).as(key).isLessThanOrEqualTo(1.0);
            }
        });
        assertThat(mounts(WrittenSeries.of(defaults))).isSubsetOf(mounts(series));
    }

    /** The mount points that have a size series, sorted. */
    private static List<String> mounts(Map<String, Double> series) {
        return series.keySet().stream().map(SIZE_OF_MOUNT::matcher).filter(Matcher::matches)
                .map(matcher -> matcher.group(1)).sorted().toList();
    }
}
