package io.rollguard.sample;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rollguard.store.LabelSet;
import io.rollguard.store.SeriesWriter;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against this host's kernel: segments made by ipcmk and by hand must show up as ipcs and ls see them. */
class SharedMemorySamplerIntegrationTest {
    private static final Pattern SHMID = Pattern.compile("Shared memory id: (\\d+)");

    @TempDir
    Path devShm;

    private final List<String> created = new ArrayList<>();

    @AfterEach
    void removeSegments() throws IOException, InterruptedException {
        for (String shmid : created) {
            run("ipcrm", "-m", shmid);
        }
    }

    @Test
    void aSegmentMadeByIpcmkAppearsWithTheKeyAndOwnerIpcsShows() throws IOException, InterruptedException {
        assumeTrue(onPath("ipcmk") && onPath("ipcs") && onPath("ipcrm"), "util-linux's ipc tools are not installed");
        String shmid = createSegment(4096);
        String key = ipcsRow(shmid)[0]; // key shmid owner perms bytes nattch [status]
        String owner = Files.getOwner(devShm).getName(); // ipcs cuts names at 10 characters; getpwuid does not
        SharedMemorySampler sampler = new SharedMemorySampler(Path.of("/proc"), devShm, Path.of("/etc"));
        SeriesWriter out = new SeriesWriter();

        sampler.sample(out);

        LabelSet labels = LabelSet.of("kind", "sysv", "key", key, "name", "", "owner", owner);
        assertThat(WrittenSeries.family(out, SharedMemorySampler.SEGMENT_BYTES)).containsEntry(labels, 4096.0);
        assertThat(WrittenSeries.family(out, SharedMemorySampler.SEGMENT_ATTACHED)).containsEntry(labels, 0.0);
        assertThat(WrittenSeries.family(out, SharedMemorySampler.SEGMENTS).get(LabelSet.of("kind", "sysv")))
                .isGreaterThanOrEqualTo(1.0);
    }

    @Test
    void aFileInDevShmAppearsAsAPosixSegmentOwnedAsTheJdkNamesItsOwner() throws IOException {
        Path segment = devShm.resolve("rollguard-test");
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
            file.setLength(8192); // what shm_open and ftruncate leave behind
        }
        SharedMemorySampler sampler = new SharedMemorySampler(Path.of("/proc"), devShm, Path.of("/etc"));
        SeriesWriter out = new SeriesWriter();

        sampler.sample(out);

        String owner = Files.getOwner(segment).getName(); // getpwuid's answer, numeric when it has none
        assertThat(WrittenSeries.family(out, SharedMemorySampler.SEGMENT_BYTES)).containsEntry(
                LabelSet.of("kind", "posix", "key", "", "name", "rollguard-test", "owner", owner), 8192.0);
        assertThat(WrittenSeries.family(out, SharedMemorySampler.SEGMENTS))
                .containsEntry(LabelSet.of("kind", "posix"), 1.0);
    }

    private String createSegment(int bytes) throws IOException, InterruptedException {
        String output = run("ipcmk", "-M", Integer.toString(bytes));
        Matcher matcher = SHMID.matcher(output);
        assertThat(matcher.find()).as("ipcmk said: %s", output).isTrue();
        created.add(matcher.group(1));
        return matcher.group(1);
    }

    private static String[] ipcsRow(String shmid) throws IOException, InterruptedException {
        for (String line : run("ipcs", "-m").split("\n")) {
            String[] fields = line.strip().split("\\s+");
            if (fields.length >= 6 && fields[0].startsWith("0x") && fields[1].equals(shmid)) {
                return fields;
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
