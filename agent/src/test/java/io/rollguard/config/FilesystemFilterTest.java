package io.rollguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FilesystemFilterTest {
    private static final FilesystemFilter ONLY_SRV_EXT4 = new FilesystemFilter(
            List.of(Pattern.compile("/"), Pattern.compile("/srv(/.*)?")), List.of(Pattern.compile("/srv/cache")),
            List.of("ext4", "xfs"), List.of("xfs"));

    static Stream<Arguments> mounts() {
        return Stream.of(
                arguments(FilesystemFilter.DEFAULT, "/", "ext4", true),
                arguments(FilesystemFilter.DEFAULT, "/boot/efi", "vfat", true),
                arguments(FilesystemFilter.DEFAULT, "/run", "tmpfs", true),
                arguments(FilesystemFilter.DEFAULT, "/tmp", "tmpfs", true),
                arguments(FilesystemFilter.DEFAULT, "/var/lib/docker", "ext4", true),
                arguments(FilesystemFilter.DEFAULT, "/devices", "ext4", true),
                arguments(FilesystemFilter.DEFAULT, "/dev", "devtmpfs", false),
                arguments(FilesystemFilter.DEFAULT, "/dev/shm", "tmpfs", false),
                arguments(FilesystemFilter.DEFAULT, "/sys/fs/cgroup", "tmpfs", false),
                arguments(FilesystemFilter.DEFAULT, "/proc/sys/fs/binfmt_misc", "binfmt_misc", false),
                arguments(FilesystemFilter.DEFAULT, "/run/credentials/getty@tty1.service", "ramfs", false),
                arguments(FilesystemFilter.DEFAULT, "/var/lib/docker/overlay2/0f3a/merged", "overlay", false),
                arguments(FilesystemFilter.DEFAULT, "/var/lib/containers/storage/overlay", "xfs", false),
                arguments(FilesystemFilter.DEFAULT, "/snap/core22/1380", "squashfs", false),
                arguments(FilesystemFilter.DEFAULT, "/media/cdrom", "iso9660", false),
                arguments(ONLY_SRV_EXT4, "/", "ext4", true),
                arguments(ONLY_SRV_EXT4, "/srv/data", "ext4", true),
                arguments(ONLY_SRV_EXT4, "/srv/cache", "ext4", false),
                arguments(ONLY_SRV_EXT4, "/srv/data", "xfs", false),
                arguments(ONLY_SRV_EXT4, "/srv/data", "tmpfs", false),
                arguments(ONLY_SRV_EXT4, "/home", "ext4", false),
                arguments(ONLY_SRV_EXT4, "/dev/shm", "ext4", false),
                arguments(ONLY_SRV_EXT4, "/srvx", "ext4", false));
    }

    @ParameterizedTest(name = "{1} {2} -> {3}")
    @MethodSource("mounts")
    void acceptsByFullMatchOfTheMountAndByExactType(FilesystemFilter filter, String mount, String fstype,
            boolean accepted) {
        assertThat(filter.accepts(mount, fstype)).isEqualTo(accepted);
    }

    @Test
    void defaultsApplyWithoutAFilesystemTable() throws ConfigException {
        Config config = ConfigLoader.parse(new ConfigSource("rollguard.toml", "", Path.of("/etc/rollguard")));

        assertThat(config.filesystemFilter()).isEqualTo(FilesystemFilter.DEFAULT);
    }

    @Test
    void readsEveryKeyOfTheFilesystemTable() throws ConfigException {
        String text = """
                [sample.filesystem]
                period = "1m"
                include_mounts = ["/", "/srv/.*"]
                exclude_mounts = []
                include_fstypes = ["ext4", "xfs"]
                exclude_fstypes = ["xfs"]
                """;

        Config config = ConfigLoader.parse(new ConfigSource("rollguard.toml", text, Path.of("/etc/rollguard")));

        FilesystemFilter filter = config.filesystemFilter();
        assertThat(filter.includeMounts()).map(Pattern::pattern).containsExactly("/", "/srv/.*");
        assertThat(filter.excludeMounts()).isEmpty();
        assertThat(filter.includeFstypes()).containsExactly("ext4", "xfs");
        assertThat(filter.excludeFstypes()).containsExactly("xfs");
        assertThat(filter.accepts("/dev/shm", "ext4")).as("an empty exclude list replaces the default").isFalse();
        assertThat(filter.accepts("/srv/data", "ext4")).isTrue();
    }

    @Test
    void aKeyLeftOutKeepsItsDefault() throws ConfigException {
        String text = """
                [sample.filesystem]
                exclude_mounts = ["/boot(/.*)?"]
                """;

        Config config = ConfigLoader.parse(new ConfigSource("rollguard.toml", text, Path.of("/etc/rollguard")));

        assertThat(config.filesystemFilter().excludeFstypes()).isEqualTo(FilesystemFilter.DEFAULT_EXCLUDE_FSTYPES);
        assertThat(config.filesystemFilter().accepts("/dev/shm", "tmpfs")).isTrue();
        assertThat(config.filesystemFilter().accepts("/boot/efi", "vfat")).isFalse();
    }

    static Stream<Arguments> badFiles() {
        return Stream.of(
                arguments("filesystem-bad-regex.bad.toml", "filesystem-bad-regex.bad.toml:3:28: "
                        + "sample.filesystem.exclude_mounts[2]: invalid regular expression at character 11: "
                        + "Unclosed group"),
                arguments("filesystem-mounts-not-array.bad.toml", "filesystem-mounts-not-array.bad.toml:2:1: "
                        + "sample.filesystem.include_mounts: expected an array of regular expressions such as "
                        + "[\"/srv/.*\"], got the string \"/srv\""),
                arguments("filesystem-mount-not-string.bad.toml", "filesystem-mount-not-string.bad.toml:2:27: "
                        + "sample.filesystem.include_mounts[2]: expected a regular expression in quotes, "
                        + "got the integer 7"),
                arguments("filesystem-empty-fstype.bad.toml", "filesystem-empty-fstype.bad.toml:2:1: "
                        + "sample.filesystem.exclude_fstypes: names must not be empty"),
                arguments("filesystem-fstype-not-string.bad.toml", "filesystem-fstype-not-string.bad.toml:2:28: "
                        + "sample.filesystem.include_fstypes[2]: expected a string, got the integer 4"),
                arguments("filesystem-misspelt-key.bad.toml", "filesystem-misspelt-key.bad.toml:2:1: "
                        + "sample.filesystem.exlude_fstypes: unknown key or array (did you mean \"exclude_fstypes\"?); "
                        + "known keys in [sample.filesystem]: period, enabled, include_mounts, exclude_mounts, "
                        + "include_fstypes, exclude_fstypes"),
                arguments("cpu-exclude-mounts.bad.toml", "cpu-exclude-mounts.bad.toml:3:1: "
                        + "sample.cpu.exclude_mounts: unknown key or array; known keys in [sample.cpu]: "
                        + "period, enabled"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void reportsABadFilesystemTableWithItsPosition(String file, String message) throws IOException {
        ConfigSource source = new ConfigSource(file, resource("/testdata/config/" + file), Path.of("/etc/rollguard"));

        assertThatThrownBy(() -> ConfigLoader.parse(source)).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).map(ConfigProblem::toString)
                        .containsExactly(message));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = FilesystemFilterTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
