package io.rollguard.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollguard.config.FilesystemFilter;
import io.rollguard.sample.FilesystemSampler.MountEntry;
import io.rollguard.sample.FilesystemSampler.Space;
import io.rollguard.sample.FilesystemSampler.SpaceReader;
import io.rollguard.store.SeriesWriter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class FilesystemSamplerTest {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;
    private static final Path FIXTURE = Fixtures.path("/fixtures/proc");
    private static final Pattern SIZE_OF_MOUNT =
            Pattern.compile("rollguard_filesystem_size_bytes\\{.*mount=\"([^\"]*)\"}");
    private static final FilesystemFilter EVERYTHING = new FilesystemFilter(List.of(), List.of(), List.of(), List.of());

    /** What statvfs says of the fixture's mounts; /run/user/1000 cannot be asked (its parent is closed to us). */
    private static final Map<String, Space> SPACES = Map.of(
            "/", new Space(100 * GIB, 30 * GIB, 25 * GIB, 6_000_000, 5_000_000),
            "/run", new Space(1 * GIB, 1000 * MIB, 1000 * MIB, 201_587, 200_000),
            "/boot", new Space(1 * GIB, 700 * MIB, 650 * MIB, 65_536, 65_000),
            "/boot/efi", new Space(512 * MIB, 500 * MIB, 500 * MIB, 0, 0),
            "/srv/data", new Space(1000 * GIB, 500 * GIB, 500 * GIB, 500_000_000, 499_000_000),
            "/srv/backup disk", new Space(2000 * GIB, 1900 * GIB, 1800 * GIB, 122_000_000, 121_000_000),
            "/tmp", new Space(2 * GIB, 2 * GIB, 2 * GIB, 524_288, 524_280),
            "/opt/app", new Space(1000 * GIB, 500 * GIB, 500 * GIB, 500_000_000, 499_000_000),
            "/dev/shm", new Space(4 * GIB, 4 * GIB, 4 * GIB, 1_000_000, 999_999),
            "/run/docker/netns/1f2e3d4c5b6a", new Space(0, 0, 0, 0, 0));

    /** A statvfs over {@link #SPACES} that remembers what it was asked, in order. */
    private static final class RecordingSpaces implements SpaceReader {
        final List<String> asked = new ArrayList<>();

        @Override
        public Optional<Space> read(String mountPoint) {
            asked.add(mountPoint);
            return Optional.ofNullable(SPACES.get(mountPoint));
        }
    }

    @Test
    void parsesTheCapturedMountinfoUnescapingItsFields() throws IOException {
        List<MountEntry> entries = parseFixture();

        assertThat(entries).hasSize(25);
        assertThat(entries.get(0)).isEqualTo(new MountEntry("/", "ext4", "/dev/mapper/vg0-root"));
        assertThat(entries).contains(
                new MountEntry("/srv/backup disk", "ext4", "/dev/sdb1"),
                new MountEntry("/mnt/build", "fuse.sshfs", "deploy@build:/srv/release notes"),
                new MountEntry("/mnt/shared", "nfs4", "fileserver:/export/shared"),
                new MountEntry("/run/docker/netns/1f2e3d4c5b6a", "nsfs", "nsfs"));
    }

    @ParameterizedTest(name = "{0} -> [{1}]")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "/srv/backup\\040disk | /srv/backup disk",
        "/mnt/tab\\011here    | \"/mnt/tab\there\"",
        "/mnt/back\\134slash  | /mnt/back\\slash",
        "/mnt/\\040\\040      | \"/mnt/  \"",
        "/mnt/two\\04         | /mnt/two\\04",
        "/mnt/not\\089octal   | /mnt/not\\089octal",
        "/mnt/end\\           | /mnt/end\\",
        "/mnt/plain           | /mnt/plain",
    })
    void unescapesOctalEscapesOnly(String field, String text) {
        assertThat(FilesystemSampler.unescape(field)).isEqualTo(text);
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                arguments("no separator",
                        "36 22 0:29 / /mnt/x rw,relatime shared:35 nfs4 server:/x rw",
                        "mountinfo:2: expected six fields and a - before the filesystem type: "
                                + "\"36 22 0:29 / /mnt/x rw,relatime shared:35 nfs4 server:/x rw\""),
                arguments("truncated before the separator", "36 22 0:29",
                        "mountinfo:2: expected six fields and a - before the filesystem type: \"36 22 0:29\""),
                arguments("a separator too early", "36 22 0:29 / - ext4 /dev/sda1 rw",
                        "mountinfo:2: expected six fields and a - before the filesystem type: "
                                + "\"36 22 0:29 / - ext4 /dev/sda1 rw\""),
                arguments("nothing after the separator", "36 22 0:29 / /mnt/x rw -",
                        "mountinfo:2: expected the filesystem type and source after the -: "
                                + "\"36 22 0:29 / /mnt/x rw -\""),
                arguments("a type without a source", "36 22 0:29 / /mnt/x rw - ext4",
                        "mountinfo:2: expected the filesystem type and source after the -: "
                                + "\"36 22 0:29 / /mnt/x rw - ext4\""),
                arguments("a relative mount point", "36 22 0:29 / mnt/x rw - ext4 /dev/sda1 rw",
                        "mountinfo:2: the mount point is not an absolute path: "
                                + "\"36 22 0:29 / mnt/x rw - ext4 /dev/sda1 rw\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void rejectsAMalformedLineNamingFileAndLine(String name, String line, String message) {
        String text = "22 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n" + line + "\n";

        assertThatThrownBy(() -> FilesystemSampler.parse("mountinfo", new BufferedReader(new StringReader(text))))
                .isInstanceOf(IOException.class)
                .hasMessage(message);
    }

    @Test
    void acceptsLinesWithoutOptionalFieldsOrSuperOptionsAndSkipsBlankOnes() throws IOException {
        String text = "22 1 252:1 / / rw - ext4 /dev/vda1\n"
                + "\n"
                + "23 22 0:5 / /data rw master:1 shared:2 - xfs /dev/vdb rw\n";

        assertThat(FilesystemSampler.parse("mountinfo", new BufferedReader(new StringReader(text)))).containsExactly(
                new MountEntry("/", "ext4", "/dev/vda1"), new MountEntry("/data", "xfs", "/dev/vdb"));
    }

    @Test
    void selectsOneMountPerMountPointTheLastMountedThere() throws IOException {
        List<MountEntry> selected = FilesystemSampler.select(parseFixture(), FilesystemFilter.DEFAULT);

        assertThat(selected).extracting(MountEntry::mountPoint).containsExactly("/", "/run", "/boot", "/boot/efi",
                "/srv/data", "/srv/backup disk", "/tmp", "/run/user/1000", "/opt/app");
        assertThat(selected).filteredOn(entry -> entry.mountPoint().equals("/opt/app"))
                .containsExactly(new MountEntry("/opt/app", "xfs", "/dev/mapper/vg0-data"));
    }

    @Test
    void neverSelectsNetworkOrPseudoFilesystemsWhateverTheFilterSays() throws IOException {
        FilesystemFilter naming = new FilesystemFilter(List.of(), List.of(),
                List.of("nfs4", "cifs", "fuse.sshfs", "ceph", "autofs", "sysfs", "squashfs", "ext4"), List.of());

        assertThat(FilesystemSampler.select(parseFixture(), EVERYTHING)).extracting(MountEntry::mountPoint)
                .containsExactly("/", "/run", "/dev/shm", "/boot", "/boot/efi", "/srv/data", "/srv/backup disk",
                        "/tmp", "/run/user/1000", "/opt/app", "/run/docker/netns/1f2e3d4c5b6a");
        assertThat(FilesystemSampler.select(parseFixture(), naming)).extracting(MountEntry::mountPoint)
                .containsExactly("/", "/boot", "/srv/backup disk");
    }

    @Test
    void aPseudoFilesystemAtTheRootIsKept() {
        List<MountEntry> container = List.of(new MountEntry("/", "overlay", "overlay"),
                new MountEntry("/etc/hosts", "ext4", "/dev/vda1"));

        assertThat(FilesystemSampler.select(container, EVERYTHING)).extracting(MountEntry::mountPoint)
                .containsExactly("/", "/etc/hosts");
    }

    @Test
    void asksStatvfsOnlyAboutTheMountsItReports() throws IOException {
        RecordingSpaces spaces = new RecordingSpaces();

        new FilesystemSampler(FIXTURE, FilesystemFilter.DEFAULT, spaces).sample(new SeriesWriter());

        assertThat(spaces.asked).containsExactly("/", "/run", "/boot", "/boot/efi", "/srv/data", "/srv/backup disk",
                "/tmp", "/run/user/1000", "/opt/app");
    }

    @Test
    void writesTheCapturedMountsAsTheGoldenFileSays() throws IOException {
        SeriesWriter out = new SeriesWriter();

        new FilesystemSampler(FIXTURE, FilesystemFilter.DEFAULT, new RecordingSpaces()).sample(out);

        assertThat(WrittenSeries.lines(out)).containsExactlyElementsOf(WrittenSeries.golden("golden/filesystem.txt"));
    }

    @Test
    void writesSpaceAndInodesPerMount() {
        String labels = "{device=\"/dev/vda1\",fstype=\"ext4\",mount=\"/\"}";

        assertThat(written(new MountEntry("/", "ext4", "/dev/vda1"), SPACES.get("/")))
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "rollguard_filesystem_size_bytes" + labels, 100.0 * GIB,
                        "rollguard_filesystem_free_bytes" + labels, 30.0 * GIB,
                        "rollguard_filesystem_available_bytes" + labels, 25.0 * GIB,
                        "rollguard_filesystem_used_ratio" + labels, 70.0 / 95.0,
                        "rollguard_filesystem_inodes" + labels, 6_000_000.0,
                        "rollguard_filesystem_inodes_free" + labels, 5_000_000.0));
    }

    @Test
    void inodesAreLeftOutWhereTheFilesystemHasNoFixedCount() {
        String labels = "{device=\"/dev/sdb\",fstype=\"btrfs\",mount=\"/srv/data\"}";

        assertThat(written(new MountEntry("/srv/data", "btrfs", "/dev/sdb"),
                new Space(1000 * GIB, 500 * GIB, 500 * GIB, 0, 0))).containsOnlyKeys(
                        "rollguard_filesystem_size_bytes" + labels,
                        "rollguard_filesystem_free_bytes" + labels,
                        "rollguard_filesystem_available_bytes" + labels,
                        "rollguard_filesystem_used_ratio" + labels);
    }

    @Test
    void aFilesystemWithoutSizeIsLeftOut() {
        assertThat(written(new MountEntry("/run/docker/netns/x", "nsfs", "nsfs"), new Space(0, 0, 0, 0, 0))).isEmpty();
    }

    @Test
    void runsEveryTenSecondsUnlessTheTickIsLonger() {
        FilesystemSampler sampler =
                new FilesystemSampler(FIXTURE, FilesystemFilter.DEFAULT, mountPoint -> Optional.empty());

        assertThat(sampler.name()).isEqualTo("filesystem");
        assertThat(sampler.defaultPeriod(Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(10));
        assertThat(sampler.defaultPeriod(Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aMissingMountinfoFailsTheSample(@TempDir Path empty) {
        FilesystemSampler sampler = new FilesystemSampler(empty, FilesystemFilter.DEFAULT, new RecordingSpaces());

        assertThatThrownBy(() -> sampler.sample(new SeriesWriter()))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessage(empty.resolve("self/mountinfo").toString());
    }

    @Test
    void readsTheRealHost() throws IOException {
        SeriesWriter everything = new SeriesWriter();
        SeriesWriter defaults = new SeriesWriter();

        FilesystemSampler.forHost(EVERYTHING).sample(everything);
        FilesystemSampler.forHost(FilesystemFilter.DEFAULT).sample(defaults);

        Map<String, Double> series = WrittenSeries.of(everything);
        assertThat(mounts(series)).contains("/");
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

    /** Each run opens mountinfo and asks statvfs about every mount: none may keep a descriptor. */
    @Test
    void aThousandRunsLeaveNoDescriptorOpen() throws IOException {
        FilesystemSampler sampler = FilesystemSampler.forHost(EVERYTHING);
        sampler.sample(new SeriesWriter());
        long before = Descriptors.open();

        for (int run = 0; run < 1000; run++) {
            sampler.sample(new SeriesWriter());
        }

        assertThat(Descriptors.open()).isLessThanOrEqualTo(before + Descriptors.MARGIN);
    }

    private static List<MountEntry> parseFixture() throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(FIXTURE.resolve("self/mountinfo"))) {
            return FilesystemSampler.parse("mountinfo", reader);
        }
    }

    private static Map<String, Double> written(MountEntry entry, Space space) {
        SeriesWriter out = new SeriesWriter();
        FilesystemSampler.write(entry, space, out);
        return WrittenSeries.of(out);
    }

    /** The mount points that have a size series, sorted. */
    private static List<String> mounts(Map<String, Double> series) {
        return series.keySet().stream().map(SIZE_OF_MOUNT::matcher).filter(Matcher::matches)
                .map(matcher -> matcher.group(1)).sorted().toList();
    }
}
