package io.rollguard.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StateFileTest {
    @TempDir
    Path dir;

    @Test
    void aMissingFileIsAnEmptyState() throws IOException {
        assertThat(new StateFile(dir.resolve("not-yet")).read()).isEmpty();
    }

    @Test
    void readsBackWhatItWroteWithIntegersAsLong() throws IOException {
        StateFile file = new StateFile(dir);

        file.write(Map.of("latches", List.of(latch(57)), "baselines", Map.of("check_duration", 0.25)));

        Map<String, Object> read = file.read();
        assertThat(read).isEqualTo(Map.of("latches", List.of(latch(57L)), "baselines", Map.of("check_duration", 0.25)));
        assertThatThrownBy(() -> read.put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    }

    private static Map<String, Object> latch(Object eventId) {
        Map<String, Object> latch = new HashMap<>();
        latch.put("rule", "memory-pressure");
        latch.put("event_id", eventId);
        latch.put("deployment", null);
        return latch;
    }

    @Test
    void aWriteReplacesTheFileWholeAndLeavesNoTemporaryFile() throws IOException {
        StateFile file = new StateFile(dir);
        file.write(Map.of("generation", 1));

        file.write(Map.of("generation", 2));

        assertThat(file.read()).isEqualTo(Map.of("generation", 2L));
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(dir.resolve("state.json"));
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path()))).isEqualTo("rw-r-----");
    }

    @Test
    void aTemporaryFileLeftByACrashIsReplaced() throws IOException {
        StateFile file = new StateFile(dir);
        Files.writeString(dir.resolve("state.json.tmp"), "{\"half\":");

        file.write(Map.of("generation", 1));

        assertThat(file.read()).isEqualTo(Map.of("generation", 1L));
        assertThat(Files.exists(dir.resolve("state.json.tmp"))).isFalse();
    }

    @Test
    void aFailedWriteLeavesThePreviousFileUntouched() throws IOException {
        StateFile file = new StateFile(dir);
        file.write(Map.of("generation", 1));
        byte[] before = Files.readAllBytes(file.path());
        // A directory that cannot be removed where the temporary file goes: the write fails before the rename,
        // whoever runs the test (root included).
        Path temp = Files.createDirectory(dir.resolve("state.json.tmp"));
        Files.createFile(temp.resolve("occupied"));

        assertThatThrownBy(() -> file.write(Map.of("generation", 2)))
                .isInstanceOf(IOException.class)
                .hasMessage("cannot write " + file.path() + ": DirectoryNotEmptyException: " + temp
                        + "; nor the reserved space: IOException: " + dir.resolve("state.reserve") + " is missing: no "
                        + "space was reserved when the agent started");

        assertThat(Files.readAllBytes(file.path())).isEqualTo(before);
        assertThat(file.read()).isEqualTo(Map.of("generation", 1L));
    }

    @Test
    void aStateFileOverItsBoundIsDamagedNotReadWhole() throws IOException {
        Files.write(dir.resolve("state.json"), new byte[1024 * 1024 + 1]);

        assertThatThrownBy(() -> new StateFile(dir).read()).isInstanceOf(IOException.class)
                .hasMessage(dir.resolve("state.json") + ": too large: 1.0 MiB (1048577 "
                        + "bytes), more than the 1.0 MiB a state file may be");
    }

    @Test
    void aStateOverTheBoundIsNeverWrittenSoThatARestartCanReadWhatWasWritten() throws IOException {
        StateFile file = new StateFile(dir);
        file.write(Map.of("generation", 1));

        assertThatThrownBy(() -> file.write(Map.of("huge", "x".repeat(1024 * 1024))))
                .isInstanceOf(IOException.class).hasMessageContaining("more than the 1.0 MiB a state file may be");
        assertThat(file.read()).isEqualTo(Map.of("generation", 1L));
    }

    @Test
    void rejectsValuesThatAreNotJson() {
        assertThatThrownBy(() -> new StateFile(dir).write(Map.of("since", Instant.EPOCH)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("state.since: java.time.Instant is not a JSON value (String, Number, Boolean, null, List "
                        + "or Map)");
        assertThat(Files.exists(dir.resolve("state.json"))).isFalse();
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                arguments("empty", "", "not a valid state file: empty"),
                arguments("blank", " \n", "not a valid state file: empty"),
                arguments("cut short", "{\n  \"latches\" : [\n", "not a valid state file: line 3, column 1: "
                        + "Unexpected end-of-input: expected close marker for Array"),
                arguments("an array", "[]", "not a valid state file: expected a JSON object, found an array"),
                arguments("two objects", "{}\n{}", "not a valid state file: line 2, column 1: "
                        + "unexpected content after the object"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void aDamagedFileIsAnErrorThatNamesTheFileAndWhatIsWrong(String name, String content, String problem)
            throws IOException {
        Path path = Files.writeString(dir.resolve("state.json"), content);

        assertThatThrownBy(() -> new StateFile(dir).read()).isInstanceOf(IOException.class)
                .hasMessage(path + ": " + problem);
    }

    @Test
    void anUnreadableFileIsAnErrorThatNamesIt() throws IOException {
        Path path = Files.createDirectory(dir.resolve("state.json"));

        assertThatThrownBy(() -> new StateFile(dir).read()).isInstanceOf(IOException.class)
                .hasMessage("cannot read " + path + ": IOException: Is a directory");
    }

    @Test
    void whenStateJsonCannotBeReplacedTheStateGoesToTheReservedSpaceAndARestartReadsIt() throws Exception {
        StateFile file = new StateFile(dir);
        file.read();
        file.reserve();
        assertThat(Files.size(dir.resolve("state.reserve"))).isEqualTo(2L * StateReserve.SLOT_BYTES);
        assertThat(file.write(Map.of("latches", Map.of()))).isEmpty();
        // A full disk, for root as for anyone: the temporary file cannot be created where a directory is.
        Files.createDirectories(dir.resolve("state.json.tmp/in-the-way"));

        assertThat(file.write(Map.of("latches", Map.of("api-down", "ran")))).get().asString()
                .startsWith("cannot write " + dir.resolve("state.json"));
        assertThat(Files.readString(dir.resolve("state.json"))).doesNotContain("api-down");
        assertThat(new StateFile(dir).read()).isEqualTo(Map.of("latches", Map.of("api-down", "ran")));

        // The disk has room again: state.json is newer than the reserve from now on, and says so.
        Files.delete(dir.resolve("state.json.tmp/in-the-way"));
        Files.delete(dir.resolve("state.json.tmp"));
        assertThat(file.write(Map.of("latches", Map.of()))).isEmpty();
        assertThat(Files.readString(dir.resolve("state.json"))).contains("\"state_generation\" : 3");
        assertThat(new StateFile(dir).read()).isEqualTo(Map.of("latches", Map.of()));
    }

    @Test
    void aReservedWriteTornByACrashLeavesThePreviousOne() throws Exception {
        StateFile file = new StateFile(dir);
        file.read();
        file.reserve();
        Files.createDirectories(dir.resolve("state.json.tmp/in-the-way"));
        assertThat(file.write(Map.of("latches", Map.of("a", "first")))).isPresent(); // generation 1, slot 1
        assertThat(file.write(Map.of("latches", Map.of("a", "second")))).isPresent(); // generation 2, slot 0

        try (var channel = java.nio.channels.FileChannel.open(dir.resolve("state.reserve"),
                java.nio.file.StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(new byte[] {'X'}), 40); // inside slot 0's JSON
        }

        assertThat(new StateFile(dir).read()).isEqualTo(Map.of("latches", Map.of("a", "first")));
    }

    @Test
    void neitherWrittenIsAnErrorThatSaysBoth() throws Exception {
        StateFile file = new StateFile(dir);
        file.read(); // and no reserve: the disk was full at the start
        Files.createDirectories(dir.resolve("state.json.tmp/in-the-way"));

        assertThatThrownBy(() -> file.write(Map.of("latches", Map.of()))).isInstanceOf(IOException.class)
                .hasMessageStartingWith("cannot write " + dir.resolve("state.json"))
                .hasMessageContaining("; nor the reserved space: IOException: " + dir.resolve("state.reserve")
                        + " is missing");
        assertThat(dir.resolve("state.json")).doesNotExist();
    }
}
