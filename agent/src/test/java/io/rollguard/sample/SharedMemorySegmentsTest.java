package io.rollguard.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.sample.SharedMemorySegments.PosixSegment;
import io.rollguard.sample.SharedMemorySegments.SysvSegment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SharedMemorySegmentsTest {
    @TempDir
    Path temp;

    private Path devShm;
    private SharedMemorySegments segments;

    /** A /dev/shm with one segment and, beside it, the things posix() leaves out of the listing too. */
    @BeforeEach
    void devShm() throws IOException {
        devShm = Files.createDirectory(temp.resolve("shm"));
        Files.write(devShm.resolve("orders.ring"), new byte[4096]);
        Files.write(devShm.resolve("sem.orders"), new byte[32]);
        Files.createDirectory(devShm.resolve("chromium"));
        Files.createSymbolicLink(devShm.resolve("alias"), devShm.resolve("orders.ring"));
        Files.write(temp.resolve("outside"), new byte[8]);
        segments = new SharedMemorySegments(temp.resolve("no-proc"), devShm);
    }

    @Test
    void findsASegmentByName() throws IOException {
        Optional<PosixSegment> found = segments.posix("orders.ring");

        assertThat(found).hasValueSatisfying(segment -> {
            assertThat(segment.name()).isEqualTo("orders.ring");
            assertThat(segment.sizeBytes()).isEqualTo(4096);
        });
    }

    @ParameterizedTest(name = "\"{0}\": {1}")
    @CsvSource({
        "missing, no such file",
        "sem.orders, a named semaphore",
        "chromium, a directory",
        "alias, a link",
        "../outside, a path out of /dev/shm",
        "'..', the parent",
        "'', no name",
    })
    void findsNoSegmentWhereTheListingWouldShowNone(String name, String why) throws IOException {
        assertThat(segments.posix(name)).as(why).isEmpty();
    }

    @Test
    void aMissingDevShmHoldsNoSegment() throws IOException {
        SharedMemorySegments none = new SharedMemorySegments(temp.resolve("no-proc"), temp.resolve("no-shm"));

        assertThat(none.posix("orders.ring")).isEmpty();
        assertThat(none.posix()).isEmpty();
        assertThat(none.sysv()).isEmpty();
    }

    @Test
    void readsSysvSegmentsFromTheProcRoot() throws IOException {
        Path proc = Files.createDirectories(temp.resolve("proc/sysvipc"));
        Files.copy(WrittenSeries.fixture("proc/sysvipc/shm"), proc.resolve("shm"));

        assertThat(new SharedMemorySegments(temp.resolve("proc"), devShm).sysv())
                .extracting(SysvSegment::formattedKey)
                .contains("0x0000162e");
    }
}
