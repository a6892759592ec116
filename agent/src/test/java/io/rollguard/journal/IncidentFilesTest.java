package io.rollguard.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The incident directory: written whole, listed newest first, bounded, and only ever named by a valid id. */
class IncidentFilesTest {
    @TempDir
    Path dir;

    @Test
    void writesJsonAndMarkdownAndListsNewestFirst() throws Exception {
        IncidentFiles files = new IncidentFiles(dir);
        files.write("20260101T000100Z-9", incident("20260101T000100Z-9", "errors"), "# one\n");
        files.write("20260101T000100Z-10", incident("20260101T000100Z-10", "latency"), "# two\n");
        files.write("20251231T235959Z-99", incident("20251231T235959Z-99", "disk"), "# zero\n");

        assertThat(files.ids()).containsExactly("20260101T000100Z-10", "20260101T000100Z-9", "20251231T235959Z-99");
        assertThat(files.list()).first().isEqualTo(Map.of("id", "20260101T000100Z-10", "rule", "latency",
                "outcome", "ok", "started_at", "2026-01-01T00:01:00Z", "deployment_id", "d1", "deployment_version",
                "v42", "labels", Map.of()));
        assertThat(files.readMarkdown("20260101T000100Z-9")).contains("# one\n");
        assertThat(files.read("20260101T000100Z-9").orElseThrow()).containsEntry("rule", "errors");
        try (Stream<Path> left = Files.list(dir.resolve("incidents"))) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no temporary file left")
                    .noneMatch(name -> name.endsWith(".tmp")).hasSize(6);
        }
    }

    @Test
    void keepsOnlyTheNewestHundred() throws Exception {
        IncidentFiles files = new IncidentFiles(dir);
        for (int i = 1; i <= IncidentFiles.KEEP + 3; i++) {
            String id = "20260101T000000Z-" + i;
            files.write(id, incident(id, "errors"), "# " + i + "\n");
        }

        List<String> ids = files.ids();
        assertThat(ids).hasSize(IncidentFiles.KEEP).startsWith("20260101T000000Z-103")
                .endsWith("20260101T000000Z-4").doesNotContain("20260101T000000Z-3");
        assertThat(dir.resolve("incidents/20260101T000000Z-1.md")).doesNotExist();
        assertThat(dir.resolve("incidents/20260101T000000Z-1.json")).doesNotExist();
        try (Stream<Path> left = Files.list(dir.resolve("incidents"))) {
            assertThat(left).hasSize(2 * IncidentFiles.KEEP);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"../state", "20260101T000000Z-1/../../x", "", "20260101T000000Z-", "x.json"})
    void onlyAnIdReachesTheFileSystem(String id) throws Exception {
        IncidentFiles files = new IncidentFiles(dir);

        assertThat(IncidentFiles.isId(id)).isFalse();
        assertThat(files.read(id)).isEmpty();
        assertThat(files.readMarkdown(id)).isEmpty();
        assertThatThrownBy(() -> files.write(id, Map.of(), "")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aDirectoryNotYetCreatedHasNoIncidents() throws Exception {
        assertThat(new IncidentFiles(dir.resolve("nowhere")).list()).isEmpty();
    }

    private static Map<String, Object> incident(String id, String rule) {
        return Map.of("id", id, "rule", rule, "labels", Map.of(), "outcome", "ok", "started_at",
                "2026-01-01T00:01:00Z", "deployment_id", "d1", "deployment_version", "v42", "timeline", List.of());
    }
}
