package io.rollguard.check;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollguard.config.check.ShmCheckSpec;
import io.rollguard.config.check.ShmCheckSpec.Expectation;
import io.rollguard.sample.SharedMemorySegments;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * System V segments made by {@code ipcmk} and found by the key {@code ipcs -m} shows, as seed 000's checklist does;
 * POSIX segments as files in a directory standing in for {@code /dev/shm}.
 */
class ShmCheckTest {
    private static final Pattern SHMID = Pattern.compile("Shared memory id: (\\d+)");
    private static final long MIB = 1024 * 1024;

    @TempDir
    Path devShm;

    private final List<String> created = new ArrayList<>();

    @AfterEach
    void removeSegments() throws IOException, InterruptedException {
        for (String shmid : created) {
            run("ipcrm", "-m", shmid);
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                arguments("present", Expectation.PRESENT, -1L, true, "SEGMENT: SIZE"),
                arguments("present and big enough", Expectation.PRESENT, 4096L, true, "SEGMENT: SIZE"),
                arguments("present but too small", Expectation.PRESENT, MIB, false, "SEGMENT is 4.0 KiB (min 1.0 MiB)"),
                arguments("present but expected absent", Expectation.ABSENT, -1L, false,
                        "SEGMENT exists (SIZE; expected absent)"));
    }

    @ParameterizedTest(name = "System V: {0}")
    @MethodSource("cases")
    void judgesASegmentMadeByIpcmk(String name, Expectation expect, long minSize, boolean ok, String message)
            throws IOException, InterruptedException {
        assumeTrue(onPath("ipcmk") && onPath("ipcs") && onPath("ipcrm"), "util-linux's ipc tools are not installed");
        String shmid = createSegment(4096);
        String key = ipcsKey(shmid);
        ShmCheckSpec spec = new ShmCheckSpec(new ShmCheckSpec.SysvKey(Integer.parseUnsignedInt(key.substring(2), 16)),
                expect, minSize);

        CheckResult result = new ShmCheck(spec, SharedMemorySegments.forHost()).run();

        assertThat(result.message()).isEqualTo(message.replace("SEGMENT", "System V segment " + key)
                .replace("SIZE", "4.0 KiB, shmid " + shmid + ", 0 attached"));
        assertThat(result.ok()).isEqualTo(ok);
        assertThat(result.value()).isEqualTo(4096.0);
    }

    @ParameterizedTest(name = "POSIX: {0}")
    @MethodSource("cases")
    void judgesAPosixSegment(String name, Expectation expect, long minSize, boolean ok, String message)
            throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(devShm.resolve("stimulus_stream").toFile(), "rw")) {
            file.setLength(4096); // what shm_open and ftruncate leave behind
        }
        ShmCheckSpec spec = new ShmCheckSpec(new ShmCheckSpec.PosixName("stimulus_stream"), expect, minSize);

        CheckResult result = new ShmCheck(spec, new SharedMemorySegments(Path.of("/nonexistent"), devShm)).run();

        assertThat(result.message()).isEqualTo(message.replace("SEGMENT", "POSIX segment /stimulus_stream")
                .replace("SIZE", "4.0 KiB"));
        assertThat(result.ok()).isEqualTo(ok);
        assertThat(result.value()).isEqualTo(4096.0);
    }

    /** Seed 000: the segment is there while the backend runs, and gone once it stopped and cleaned up. */
    @Test
    void aRemovedSegmentIsAbsent() throws IOException, InterruptedException {
        assumeTrue(onPath("ipcmk") && onPath("ipcs") && onPath("ipcrm"), "util-linux's ipc tools are not installed");
        String shmid = createSegment(4096);
        String key = ipcsKey(shmid);
        ShmCheckSpec.SysvKey sysvKey = new ShmCheckSpec.SysvKey(Integer.parseUnsignedInt(key.substring(2), 16));
        run("ipcrm", "-m", shmid);
        created.remove(shmid);

        CheckResult present = new ShmCheck(new ShmCheckSpec(sysvKey, Expectation.PRESENT, -1),
                SharedMemorySegments.forHost()).run();
        CheckResult absent = new ShmCheck(new ShmCheckSpec(sysvKey, Expectation.ABSENT, -1),
                SharedMemorySegments.forHost()).run();

        assertThat(present.ok()).isFalse();
        assertThat(present.message()).isEqualTo("System V segment " + key + " does not exist");
        assertThat(present.value()).isNaN();
        assertThat(absent.ok()).isTrue();
        assertThat(absent.message()).isEqualTo("System V segment " + key + " is absent");
        assertThat(absent.value()).isNaN();
    }

    @Test
    void aMissingPosixSegmentIsAbsent() throws IOException {
        SharedMemorySegments segments = new SharedMemorySegments(Path.of("/nonexistent"), devShm);
        ShmCheckSpec.PosixName name = new ShmCheckSpec.PosixName("stimulus_stream");

        CheckResult present = new ShmCheck(new ShmCheckSpec(name, Expectation.PRESENT, -1), segments).run();
        CheckResult absent = new ShmCheck(new ShmCheckSpec(name, Expectation.ABSENT, -1), segments).run();

        assertThat(present.ok()).isFalse();
        assertThat(present.message()).isEqualTo("POSIX segment /stimulus_stream does not exist");
        assertThat(absent.ok()).isTrue();
        assertThat(absent.message()).isEqualTo("POSIX segment /stimulus_stream is absent");
        assertThat(absent.value()).isNaN();
    }

    @Test
    void keysPrintAsIpcsPrintsThem() {
        assertThat(new ShmCheckSpec.SysvKey(0x162e).text()).isEqualTo("0x0000162e");
        assertThat(new ShmCheckSpec.SysvKey(0xdeadbeef).text()).isEqualTo("0xdeadbeef");
    }

    private String createSegment(int bytes) throws IOException, InterruptedException {
        String output = run("ipcmk", "-M", Integer.toString(bytes));
        Matcher matcher = SHMID.matcher(output);
        assertThat(matcher.find()).as("ipcmk said: %s", output).isTrue();
        created.add(matcher.group(1));
        return matcher.group(1);
    }

    /** The key of the segment as {@code ipcs -m} prints it: key shmid owner perms bytes nattch [status]. */
    private static String ipcsKey(String shmid) throws IOException, InterruptedException {
        for (String line : run("ipcs", "-m").split("\n")) {
            String[] fields = line.strip().split("\\s+");
            if (fields.length >= 6 && fields[0].startsWith("0x") && fields[1].equals(shmid)) {
                return fields[0];
            }
        }
        throw new AssertionError("ipcs -m does not list shmid " + shmid);
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("%s finished", command[0]).isTrue();
        assertThat(process.exitValue()).as("%s exit status; output: %s", command[0], output).isZero();
        return output;
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String directory : path.split(":")) {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, command))) {
                return true;
            }
        }
        return false;
    }
}
