package io.rollguard.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollguard.sample.DiskSampler.Disk;
import io.rollguard.store.SeriesWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DiskSamplerTest {
    private static final Path FIXTURE = Fixtures.path("/fixtures/proc");

    @Test
    void parsesEveryLineWithItsCountersInBytesAndSeconds() {
        List<String> lines = List.of(
                "   8       0 sda 1000 20 40000 300 500 10 80000 900 0 1200 1500 0 0 0 0",
                "   8       1 sda1 900 20 36000 280 500 10 80000 900 0 1100 1400 0 0 0 0",
                " 259       0 nvme0n1 7 0 16 1 3 0 8 0 0 2 1 0 0 0 0 4 2");

        assertThat(DiskSampler.parse(lines)).containsExactly(
                new Disk("sda", 1000, 40000 * 512L, 500, 80000 * 512L, Duration.ofMillis(1200)),
                new Disk("sda1", 900, 36000 * 512L, 500, 80000 * 512L, Duration.ofMillis(1100)),
                new Disk("nvme0n1", 7, 16 * 512L, 3, 8 * 512L, Duration.ofMillis(2)));
    }

    @Test
    void skipsLinesWithoutTheElevenCounters() {
        // Linux 2.4 wrote partitions with four counters only; an empty line ends some captures.
        List<String> lines = List.of("   8       1 sda1 900 36000 500 80000", "");

        assertThat(DiskSampler.parse(lines)).isEmpty();
    }

    static Stream<Arguments> devices() {
        return Stream.of(
                arguments("sda", true), arguments("vda", true), arguments("xvda", true), arguments("hda", true),
                arguments("nvme0n1", true), arguments("nvme10n2", true), arguments("dm-0", true),
                arguments("md127", true), arguments("mmcblk0", true), arguments("sdaa", true),
                arguments("sda1", false), arguments("vda15", false), arguments("xvdb2", false),
                arguments("nvme0n1p1", false), arguments("mmcblk0p2", false), arguments("loop0", false),
                arguments("ram0", false), arguments("zram0", false), arguments("fd0", false),
                arguments("sdaa1", false));
    }

    @ParameterizedTest(name = "{0} reported: {1}")
    @MethodSource("devices")
    void reportsWholeDisksButNotPartitionsLoopOrRamDevices(String device, boolean reported) {
        assertThat(!DiskSampler.EXCLUDED_DEVICES.matcher(device).matches()).isEqualTo(reported);
    }

    @Test
    void writesTheCapturedFixtureAsTheGoldenFile() throws IOException {
        SeriesWriter out = new SeriesWriter();

        new DiskSampler(FIXTURE).sample(out);

        assertThat(WrittenSeries.text(out)).isEqualTo(Fixtures.text("/golden/disk.txt"));
    }

    @Test
    void readsTheRealHost() throws IOException {
        Path proc = Path.of("/proc");
        List<String> wholeDisks = DiskSampler.parse(Files.readAllLines(proc.resolve("diskstats"))).stream()
                .map(Disk::device).filter(device -> !DiskSampler.EXCLUDED_DEVICES.matcher(device).matches())
                .toList();
        SeriesWriter out = new SeriesWriter();

        new DiskSampler(proc).sample(out);

        Map<String, Double> series = WrittenSeries.of(out);
        assertThat(series).hasSize(5 * wholeDisks.size()).allSatisfy((key, value) ->
                assertThat(value).as(key).isGreaterThanOrEqualTo(0.0));
        if (!wholeDisks.isEmpty()) {
            assertThat(WrittenSeries.families(out)).containsExactly("rollguard_disk_io_time_seconds_total",
                    "rollguard_disk_read_bytes_total", "rollguard_disk_reads_total", "rollguard_disk_writes_total",
                    "rollguard_disk_written_bytes_total");
        }
    }
}
