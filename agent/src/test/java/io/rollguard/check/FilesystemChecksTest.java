package io.rollguard.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.config.check.DiskCheckSpec;
import io.rollguard.config.check.HostCheckSpec;
import io.rollguard.config.check.PathCheckSpec;
import io.rollguard.config.check.PathCheckSpec.Expectation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** path, disk and host checks against a temporary directory. */
class FilesystemChecksTest {
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path dir;

    private CheckResult path(Path path, Set<Expectation> expect, Duration maxAge, long minSize, int mode, String owner)
            throws IOException {
        return new PathCheck(new PathCheckSpec(path, expect, maxAge, minSize, mode, owner), CLOCK).run();
    }

    @Test
    void aDirectoryThatIsThereAndWritablePasses() throws IOException {
        CheckResult result = path(dir, Set.of(Expectation.DIR, Expectation.WRITABLE, Expectation.READABLE), null, -1, -1,
                null);

        assertThat(result.ok()).isTrue();
        assertThat(result.message()).isEqualTo(dir + " is a directory");
    }

    @Test
    void aMissingPathFailsUnlessAbsenceIsExpected() throws IOException {
        Path missing = dir.resolve("products.sqlite3");

        assertThat(path(missing, Set.of(Expectation.EXISTS), null, -1, -1, null).message())
                .isEqualTo(missing + " does not exist");
        assertThat(path(missing, Set.of(Expectation.ABSENT), null, -1, -1, null).ok()).isTrue();
        Files.createFile(missing);
        assertThat(path(missing, Set.of(Expectation.ABSENT), null, -1, -1, null).message())
                .isEqualTo(missing + " exists (expected absent)");
    }

    @Test
    void judgesKindSizeAgeModeAndOwnerTogether() throws IOException {
        Path file = Files.writeString(dir.resolve("token"), "secret");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setLastModifiedTime(file, FileTime.from(NOW.minus(Duration.ofHours(2))));
        String me = Files.getOwner(file).getName();

        CheckResult fine = path(file, Set.of(Expectation.FILE), Duration.ofHours(3), 6, 0644, me);
        CheckResult wrong = path(file, Set.of(Expectation.DIR), Duration.ofHours(1), 1024, 0600, "nobody-else");

        assertThat(fine.ok()).as(fine.message()).isTrue();
        assertThat(fine.value()).isEqualTo(6.0);
        assertThat(wrong.message()).isEqualTo(String.join("; ",
                file + " is not a directory",
                file + " was last modified 7200.0 s ago (max 3600.0 s)",
                file + " is 6 B (min 1.0 KiB)",
                file + " has mode 0644 (at most 0600 allowed)",
                file + " is owned by " + me + " (expected nobody-else)"));
    }

    @Test
    void diskReportsAvailableSpaceAgainstTheLimits() throws IOException {
        CheckResult roomy = new DiskCheck(new DiskCheckSpec(dir, 1, 1.0)).run();
        CheckResult cramped = new DiskCheck(new DiskCheckSpec(dir, Long.MAX_VALUE / 2, 0.0)).run();

        assertThat(roomy.ok()).isTrue();
        assertThat(roomy.value()).isEqualTo((double) Files.getFileStore(dir).getUsableSpace(), org.assertj.core.data.Offset.offset(1e9));
        assertThat(cramped.ok()).isFalse();
        assertThat(cramped.message()).startsWith(dir + ": ").contains(" free, needs 4096.0 PiB");
    }

    @Test
    void diskJudgesAPathNotCreatedYetByItsNearestParent() throws IOException {
        Path future = dir.resolve("staging/2026/06");

        CheckResult result = new DiskCheck(new DiskCheckSpec(future, 1, Double.NaN)).run();

        assertThat(result.ok()).isTrue();
        assertThat(result.message()).startsWith(future + ": ");
    }

    @Test
    void hostComparesMemoryCpusAndDisk() throws IOException {
        HostCheckSpec needs = new HostCheckSpec(8L << 30, 4, Long.MAX_VALUE / 2, dir);

        CheckResult small = new HostCheck(needs, () -> 4L << 30, () -> 2).run();
        CheckResult big = new HostCheck(new HostCheckSpec(8L << 30, 4, -1, dir), () -> 16L << 30, () -> 8).run();

        assertThat(small.ok()).isFalse();
        assertThat(small.message()).startsWith("4.0 GiB memory, needs 8.0 GiB; 2 CPUs, needs 4; " + dir + ": ");
        assertThat(big.ok()).isTrue();
        assertThat(big.message()).isEqualTo("16.0 GiB memory, 8 CPUs");
        assertThat(big.value()).isEqualTo(16.0 * (1L << 30));
    }
}
