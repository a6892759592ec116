package io.rollguard.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollguard.sample.SharedMemorySegments.SysvSegment;
import io.rollguard.store.LabelSet;
import io.rollguard.store.SeriesWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class SharedMemorySamplerTest {
    private static final String HEADER = "       key      shmid perms                  size  cpid  lpid nattch   uid"
            + "   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap";

    @TempDir
    Path temp;

    @Test
    void parsesTheCapturedFile() throws IOException {
        List<String> lines = Files.readAllLines(WrittenSeries.fixture("proc/sysvipc/shm"));

        assertThat(SharedMemorySegments.parse("shm", lines)).containsExactly(
                new SysvSegment(5678, 1, 4096, 0, 0),
                new SysvSegment(-559038737, 2, 65536, 0, 0),
                new SysvSegment(0, 3, 1048576, 1, 0),
                new SysvSegment(21235, 4, 8192, 0, 65534));
    }

    @Test
    void parsesTheLayoutOfKernelsWithoutRssAndSwap() throws IOException {
        String text = """
                       key      shmid perms       size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime
                      5678      32768   644       4096  1200     0      2  1000  1000  1000  1000          0          0 1700000000
                """;

        assertThat(SharedMemorySegments.parse("shm", text.lines().toList()))
                .containsExactly(new SysvSegment(5678, 32768, 4096, 2, 1000));
    }

    static Stream<Arguments> withoutSegments() {
        return Stream.of(
                arguments("header only", HEADER + "\n"),
                arguments("no lines at all", ""),
                arguments("header and a blank line", HEADER + "\n\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("withoutSegments")
    void findsNoSegments(String name, String text) throws IOException {
        assertThat(SharedMemorySegments.parse("shm", text.lines().toList())).isEmpty();
    }

    static Stream<Arguments> malformed() {
        String good = "5678 1 644 4096 5381 0 0 0 0 0 0 0 0 1795384002";
        return Stream.of(
                arguments("truncated line", HEADER + "\n" + good + "\n5678 2 644",
                        "shm:3: expected at least 14 fields, found 3: \"5678 2 644\""),
                arguments("key not a number", HEADER + "\n0x162e 1 644 4096 5381 0 0 0 0 0 0 0 0 0",
                        "shm:2: key is not a decimal number: \"0x162e 1 644 4096 5381 0 0 0 0 0 0 0 0 0\""),
                arguments("key beyond 32 bits", HEADER + "\n4294967296 1 644 4096 5381 0 0 0 0 0 0 0 0 0",
                        "shm:2: key 4294967296 is out of range: \"4294967296 1 644 4096 5381 0 0 0 0 0 0 0 0 0\""),
                arguments("negative size", HEADER + "\n5678 1 644 -4096 5381 0 0 0 0 0 0 0 0 0",
                        "shm:2: size -4096 is out of range: \"5678 1 644 -4096 5381 0 0 0 0 0 0 0 0 0\""),
                arguments("uid beyond 32 bits", HEADER + "\n5678 1 644 4096 5381 0 0 4294967296 0 0 0 0 0 0",
                        "shm:2: uid 4294967296 is out of range: \"5678 1 644 4096 5381 0 0 4294967296 0 0 0 0 0 0\""),
                arguments("no header", good,
                        "shm:1: expected a header starting key shmid perms size cpid lpid nattch uid: \""
                                + good + "\""),
                arguments("columns in another order", "key uid perms size cpid lpid nattch shmid\n" + good,
                        "shm:1: expected a header starting key shmid perms size cpid lpid nattch uid: "
                                + "\"key uid perms size cpid lpid nattch shmid\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void rejectsAMalformedFileNamingFileAndLine(String name, String text, String message) {
        assertThatThrownBy(() -> SharedMemorySegments.parse("shm", text.lines().toList()))
                .isInstanceOf(IOException.class)
                .hasMessage(message);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "5678, 0x0000162e",
        "0, 0x00000000",
        "-559038737, 0xdeadbeef",
        "-1, 0xffffffff",
        "-2147483648, 0x80000000",
        "2147483647, 0x7fffffff",
    })
    void formatsKeysAsIpcsDoes(int key, String formatted) {
        assertThat(SharedMemorySegments.formatKey(key)).isEqualTo(formatted);
    }

    @Test
    void writesTheFixtureTreeAsTheGoldenFileSays() throws IOException {
        Path devShm = Files.createDirectory(temp.resolve("shm"));
        SharedMemorySampler sampler = new SharedMemorySampler(
                WrittenSeries.fixture("proc"), devShm, WrittenSeries.fixture("etc"));
        SeriesWriter out = new SeriesWriter();

        sampler.sample(out);

        assertThat(WrittenSeries.lines(out)).containsExactlyElementsOf(WrittenSeries.golden("golden/shm.txt"));
    }

    @Test
    void privateSegmentsOfOneOwnerAreSummedInOneSeriesSinceOnlyTheirShmidTellsThemApart() throws IOException {
        Path proc = Files.createDirectories(temp.resolve("proc/sysvipc")).getParent();
        Files.writeString(proc.resolve("sysvipc/shm"), HEADER + "\n"
                + "         0          7   600      1048576  5381  5422      1     0     0     0     0          0 "
                + "         0 1795384002                     0                     0\n"
                + "         0          9   600         4096  5381  5422      2     0     0     0     0          0 "
                + "         0 1795384002                     0                     0\n");
        SharedMemorySampler sampler = new SharedMemorySampler(proc, Files.createDirectory(temp.resolve("shm")),
                WrittenSeries.fixture("etc"));
        SeriesWriter out = new SeriesWriter();

        sampler.sample(out);

        LabelSet labels = LabelSet.of("kind", "sysv", "key", "0x00000000", "name", "", "owner", "root");
        assertThat(WrittenSeries.family(out, SharedMemorySampler.SEGMENT_BYTES)).containsExactly(
                Map.entry(labels, 1052672.0));
        assertThat(WrittenSeries.family(out, SharedMemorySampler.SEGMENT_ATTACHED)).containsExactly(
                Map.entry(labels, 3.0));
        assertThat(WrittenSeries.family(out, SharedMemorySampler.SEGMENTS)).containsEntry(
                LabelSet.of("kind", "sysv"), 2.0);
    }

    @Test
    void reportsPosixSegmentsButNotSemaphoresDirectoriesOrLinks() throws IOException {
        Path devShm = Files.createDirectory(temp.resolve("shm"));
        Files.write(devShm.resolve("orders.ring"), new byte[4096]);
        Files.write(devShm.resolve("sem.orders"), new byte[32]);
        Files.createDirectory(devShm.resolve("chromium"));
        Files.createSymbolicLink(devShm.resolve("alias"), devShm.resolve("orders.ring"));
        Path etc = passwdNamingTheCurrentUser("shm-tester", devShm.resolve("orders.ring"));
        SharedMemorySampler sampler = new SharedMemorySampler(temp.resolve("no-proc"), devShm, etc);
        SeriesWriter out = new SeriesWriter();

        sampler.sample(out);

        assertThat(WrittenSeries.family(out, SharedMemorySampler.SEGMENT_BYTES)).containsExactly(Map.entry(
                LabelSet.of("kind", "posix", "key", "", "name", "orders.ring", "owner", "shm-tester"),
                4096.0));
        assertThat(WrittenSeries.family(out, SharedMemorySampler.SEGMENT_ATTACHED)).isEmpty();
        assertThat(WrittenSeries.family(out, SharedMemorySampler.SEGMENTS)).containsOnly(
                Map.entry(LabelSet.of("kind", "posix"), 1.0), Map.entry(LabelSet.of("kind", "sysv"), 0.0));
        assertThat(WrittenSeries.family(out, SharedMemorySampler.BYTES)).containsOnly(
                Map.entry(LabelSet.of("kind", "posix"), 4096.0), Map.entry(LabelSet.of("kind", "sysv"), 0.0));
    }

    @Test
    void aHostWithoutSysvIpcOrDevShmHasZeroSegments() throws IOException {
        SharedMemorySampler sampler =
                new SharedMemorySampler(temp.resolve("proc"), temp.resolve("dev-shm"), temp.resolve("etc"));
        SeriesWriter out = new SeriesWriter();

        sampler.sample(out);

        assertThat(WrittenSeries.lines(out)).containsExactly(
                "rollguard_shm_bytes{kind=\"posix\"} 0",
                "rollguard_shm_bytes{kind=\"sysv\"} 0",
                "rollguard_shm_segments{kind=\"posix\"} 0",
                "rollguard_shm_segments{kind=\"sysv\"} 0");
    }

    @Test
    void aMalformedFileFailsTheSampleNamingItsPath() throws IOException {
        Path proc = temp.resolve("proc");
        Files.createDirectories(proc.resolve("sysvipc"));
        Files.writeString(proc.resolve("sysvipc/shm"), HEADER + "\n      5678          1   644\n");
        SharedMemorySampler sampler = new SharedMemorySampler(proc, temp.resolve("dev-shm"), temp.resolve("etc"));

        assertThatThrownBy(() -> sampler.sample(new SeriesWriter()))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith(proc.resolve("sysvipc/shm") + ":2: expected at least 14 fields, found 3");
    }

    @Test
    void ownersWithoutAPasswdEntryStayNumeric() throws IOException {
        Path devShm = Files.createDirectory(temp.resolve("shm"));
        SharedMemorySampler sampler =
                new SharedMemorySampler(WrittenSeries.fixture("proc"), devShm, temp.resolve("empty-etc"));
        SeriesWriter out = new SeriesWriter();

        sampler.sample(out);

        assertThat(WrittenSeries.family(out, SharedMemorySampler.SEGMENT_BYTES).keySet())
                .extracting(labels -> labels.get("owner"))
                .containsExactlyInAnyOrder("0", "0", "0", "65534");
    }

    @Test
    void rereadsPasswdOnlyWhenItChanges() throws IOException {
        Path etc = Files.createDirectory(temp.resolve("etc"));
        Path passwd = etc.resolve("passwd");
        Files.writeString(passwd, "nobody:x:65534:65534::/:/bin/false\n");
        Files.setLastModifiedTime(passwd, FileTime.from(Instant.parse("2024-01-01T00:00:00Z")));
        SharedMemorySampler sampler = new SharedMemorySampler(
                WrittenSeries.fixture("proc"), Files.createDirectory(temp.resolve("shm")), etc);
        assertThat(ownerOfKey(sampler, "0x000052f3")).isEqualTo("nobody");

        Files.writeString(passwd, "nfsnobody:x:65534:65534::/:/bin/false\n");
        Files.setLastModifiedTime(passwd, FileTime.from(Instant.parse("2024-01-02T00:00:00Z")));

        assertThat(ownerOfKey(sampler, "0x000052f3")).isEqualTo("nfsnobody");
    }

    @Test
    void passwdParsingSkipsCommentsNisEntriesAndDamageAndKeepsTheFirstNameOfAUid() throws IOException {
        List<String> lines = Files.readAllLines(WrittenSeries.fixture("etc/passwd"));

        assertThat(UserNames.parse(lines)).containsOnly(
                Map.entry(0L, "root"), Map.entry(1L, "daemon"), Map.entry(65534L, "nobody"));
    }

    @ParameterizedTest(name = "tick {0}s -> every {1}s")
    @CsvSource({"1, 10", "5, 10", "10, 10", "30, 30"})
    void runsEveryTenSecondsOrEveryTickIfLonger(long tickSeconds, long periodSeconds) {
        SharedMemorySampler sampler = SharedMemorySampler.forHost();

        assertThat(sampler.name()).isEqualTo("shm");
        assertThat(sampler.defaultPeriod(Duration.ofSeconds(tickSeconds))).isEqualTo(Duration.ofSeconds(periodSeconds));
    }

    private static String ownerOfKey(SharedMemorySampler sampler, String key) throws IOException {
        SeriesWriter out = new SeriesWriter();
        sampler.sample(out);
        return WrittenSeries.family(out, SharedMemorySampler.SEGMENT_BYTES).keySet().stream()
                .filter(labels -> key.equals(labels.get("key")))
                .map(labels -> labels.get("owner"))
                .findFirst()
                .orElseThrow();
    }

    /** Test files belong to whoever runs the build, so the passwd names that uid rather than assuming root. */
    private Path passwdNamingTheCurrentUser(String name, Path ownedFile) throws IOException {
        int uid = (Integer) Files.getAttribute(ownedFile, "unix:uid");
        Path etc = Files.createDirectory(temp.resolve("etc"));
        Files.writeString(etc.resolve("passwd"), name + ":x:" + Integer.toUnsignedString(uid) + ":0::/:/bin/sh\n");
        return etc;
    }
}
