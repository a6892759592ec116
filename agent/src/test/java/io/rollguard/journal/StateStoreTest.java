package io.rollguard.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code state.json} through its one owner: the file the previous version wrote loads and writes back byte for byte,
 * every write keeps the others' sections, and a damaged file is never overwritten until a person decides.
 */
class StateStoreTest {
    @TempDir
    Path dir;

    static byte[] fixture() throws IOException {
        try (InputStream in = StateStoreTest.class.getResourceAsStream("/fixtures/journal/state.json")) {
            return in.readAllBytes();
        }
    }

    @Test
    void theStateFileThePreviousVersionWroteIsWrittenBackEqual() throws Exception {
        Files.write(dir.resolve("state.json"), fixture());
        StateStore store = new StateStore(new StateFile(dir));
        assertThat(store.damage()).isEmpty();

        for (StateSection section : StateSection.values()) {
            if (section == StateSection.SILENCES) {
                assertThat(store.saved(section)).isEmpty(); // newer than the fixture: left out until first set
                continue;
            }
            Object saved = store.saved(section).orElseThrow();
            store.write(section, () -> saved);
        }

        assertThat(Files.readString(dir.resolve("state.json"))).isEqualTo(new String(fixture(),
                java.nio.charset.StandardCharsets.UTF_8));
        assertThat(store.writeFailures()).isZero();
    }

    static Stream<Arguments> files() {
        return Stream.of(
                arguments("no file yet", null, null, Map.of()),
                arguments("a state of every section", "{\"latches\": {}, \"rollback_starts\": [],"
                        + " \"deployments\": {\"sequence\": 3}}", null, Map.of(StateSection.DEPLOYMENTS,
                                Map.of("sequence", 3L), StateSection.LATCHES, Map.of(),
                                StateSection.ROLLBACK_STARTS, List.of())),
                arguments("a key of another version is kept, not a section", "{\"mutes\": {}}", null, Map.of()),
                arguments("silences", "{\"silences\": {}}", null, Map.of(StateSection.SILENCES, Map.of())),
                arguments("torn", "{\"latches\": ", "not a valid state file", Map.of()),
                arguments("latches not an object", "{\"latches\": []}",
                        "expected \"latches\" to be an object and \"rollback_starts\" a list", Map.of()),
                arguments("rollback starts not a list", "{\"rollback_starts\": {}}",
                        "expected \"latches\" to be an object and \"rollback_starts\" a list", Map.of()),
                arguments("not an object", "[1, 2]", "not a valid state file", Map.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void loadsTheSectionsOrSaysWhyItCannot(String name, String content, String damage,
            Map<StateSection, Object> sections) throws Exception {
        if (content != null) {
            Files.writeString(dir.resolve("state.json"), content);
        }

        StateStore store = new StateStore(new StateFile(dir));

        if (damage == null) {
            assertThat(store.damage()).isEmpty();
        } else {
            assertThat(store.damage()).get().asString().contains(damage);
        }
        for (StateSection section : StateSection.values()) {
            assertThat(store.saved(section)).as(section.key()).isEqualTo(java.util.Optional.ofNullable(
                    sections.get(section)));
        }
    }

    @Test
    void theHighestEventIdTheFileMentionsIsKnownWhereverItIs() throws Exception {
        Files.writeString(dir.resolve("state.json"), """
                {"latches": {"api-down": {"action": "rollback", "at": "2026-12-01T00:00:00Z", "event_id": 4}},
                 "rollback_starts": [],
                 "deployments": {"recent": [{"id": "d-2", "trigger_event_id": 26, "id_count": 99}], "sequence": 3}}
                """);

        assertThat(new StateStore(new StateFile(dir)).highestEventId()).isEqualTo(26);
        Files.writeString(dir.resolve("state.json"), "{\"latches\": ");
        assertThat(new StateStore(new StateFile(dir)).highestEventId()).isZero();
    }

    @Test
    void aWriteOfOneSectionKeepsTheOthersAndWhatAnotherVersionLeft() throws Exception {
        Files.writeString(dir.resolve("state.json"), "{\"zeta\": 1, \"latches\": {\"api\": {\"action\": \"rollback\"}},"
                + " \"alpha\": true}");
        StateStore store = new StateStore(new StateFile(dir));

        store.write(StateSection.DEPLOYMENTS, () -> Map.of("sequence", 1));

        Map<String, Object> written = new StateFile(dir).read();
        assertThat(written.keySet()).containsExactly("latches", "rollback_starts", "alpha", "deployments", "zeta");
        assertThat(written.get("latches")).isEqualTo(Map.of("api", Map.of("action", "rollback")));
        Map<StateSection, Object> both = new LinkedHashMap<>();
        both.put(StateSection.LATCHES, Map.of());
        both.put(StateSection.ROLLBACK_STARTS, List.of("2026-01-01T00:00:00Z"));
        store.write(both);
        assertThat(new StateFile(dir).read()).containsEntry("latches", Map.of())
                .containsEntry("rollback_starts", List.of("2026-01-01T00:00:00Z"))
                .containsEntry("deployments", Map.of("sequence", 1L));
    }

    @Test
    void aDamagedFileIsLeftAsItIsUntilTheDamageIsForgotten() throws Exception {
        Path file = dir.resolve("state.json");
        Files.writeString(file, "{\"latches\": ");
        StateStore store = new StateStore(new StateFile(dir));

        store.write(StateSection.DEPLOYMENTS, () -> Map.of("sequence", 1));
        store.write(Map.of(StateSection.LATCHES, Map.of()));

        assertThat(Files.readString(file)).isEqualTo("{\"latches\": ");
        assertThat(store.saved(StateSection.DEPLOYMENTS)).as("kept in memory").contains(Map.of("sequence", 1));
        store.forgetDamage();
        store.write(Map.of(StateSection.LATCHES, Map.of()));
        assertThat(new StateFile(dir).read()).containsEntry("deployments", Map.of("sequence", 1L));
        assertThat(store.damage()).isEmpty();
    }

    @Test
    void aComponentThatFindsItsSectionUnusableDamagesTheWholeFile() throws Exception {
        Files.writeString(dir.resolve("state.json"), "{\"latches\": {\"api\": {}}, \"deployments\": {}}");
        StateStore store = new StateStore(new StateFile(dir));

        store.damaged("latch api has no time");

        assertThat(store.damage()).contains("latch api has no time");
        assertThat(store.saved(StateSection.DEPLOYMENTS)).isEmpty();
    }

    @Test
    void aFailedWriteIsCountedAndClearedByTheNextThatSucceeds() throws Exception {
        Path blocked = dir.resolve("blocked");
        StateStore store = new StateStore(new StateFile(blocked));
        // Neither state.json nor the reserved space can be written: a directory where each goes.
        Files.delete(blocked.resolve("state.reserve"));
        Files.createDirectories(blocked.resolve("state.reserve/in-the-way"));
        Files.createDirectories(blocked.resolve("state.json.tmp/in-the-way"));

        store.write(StateSection.DEPLOYMENTS, () -> Map.of());

        assertThat(store.writeFailures()).isEqualTo(1);
        assertThat(store.writeFailure()).get().asString().contains("cannot write", "nor the reserved space");
        Files.delete(blocked.resolve("state.json.tmp/in-the-way"));
        Files.delete(blocked.resolve("state.json.tmp"));
        store.write(StateSection.DEPLOYMENTS, () -> Map.of());
        assertThat(store.writeFailures()).isEqualTo(1);
        assertThat(store.writeFailure()).isEmpty();
    }
}
