package io.rollguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
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
import org.junit.jupiter.params.provider.ValueSource;

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

    /** Each bad file's problems, exactly as {@code rollguard validate} prints them, pinned in a golden .out file. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"filesystem-filter.bad.toml", "filesystem-keys-elsewhere.bad.toml"})
    void reportsEveryProblemOfABadFileWithItsPosition(String file) throws IOException {
        ConfigSource source = new ConfigSource(file, resource("/testdata/" + file), Path.of("/etc/rollguard"));

        ConfigException error = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(source));

        assertThat(error).as("%s must be rejected", file).isNotNull();
        assertThat(error.problems()).map(ConfigProblem::toString)
                .containsExactlyElementsOf(resource("/testdata/" + file.replace(".toml", ".out")).lines().toList());
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = FilesystemFilterTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
