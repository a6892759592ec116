package io.rollguard.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollguard.journal.JournalEvent.ActionFinished;
import io.rollguard.journal.JournalEvent.ActionInterrupted;
import io.rollguard.journal.JournalEvent.ActionSkipped;
import io.rollguard.journal.JournalEvent.ActionStarted;
import io.rollguard.journal.JournalEvent.DeploymentChange;
import io.rollguard.journal.JournalEvent.DeploymentChanged;
import io.rollguard.journal.JournalEvent.Firing;
import io.rollguard.journal.JournalEvent.ForDeployment;
import io.rollguard.journal.JournalEvent.RollbackVerification;
import io.rollguard.journal.JournalEvent.RuleChanged;
import io.rollguard.journal.JournalEvent.RulesRearmed;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The journal's schema against a journal the previous version wrote ({@code fixtures/journal/events.jsonl}, written
 * by the Responder, Deployments and Agent before events were records): every line reads into its record and renders
 * back to the same bytes, so neither version is surprised by the other's file.
 */
class JournalEventTest {
    private static final Instant TIME = Instant.parse("2026-11-22T03:04:05.123Z");

    static List<String> fixtureLines() throws IOException {
        try (InputStream in = JournalEventTest.class.getResourceAsStream("/fixtures/journal/events.jsonl")) {
            return Arrays.asList(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("(?<=\n)"));
        }
    }

    static Stream<Arguments> lines() throws IOException {
        List<Arguments> rows = new ArrayList<>();
        for (String line : fixtureLines()) {
            rows.add(arguments(line.substring(0, Math.min(60, line.length())), line));
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lines")
    void everyLineOfThePreviousVersionsJournalReadsIntoItsRecordAndRendersBackToTheSameBytes(String name, String line)
            throws Exception {
        Event event = EventLines.decode(line.getBytes(StandardCharsets.UTF_8));

        JournalEvent record = JournalEvent.read(event);

        assertThat(record.kind()).isEqualTo(event.kind());
        Event rendered = new Event(event.id(), event.time(), record.kind(), record.fields());
        if (event.kind().equals("config_reload_failed")) {
            // The previous version built these fields with Map.of, whose order changes from one JVM run to the
            // next: only the values can match. The record writes them in the order the README lists them.
            assertThat(EventLines.decode(EventLines.encode(rendered)).toMap()).isEqualTo(event.toMap());
            return;
        }
        assertThat(new String(EventLines.encode(rendered), StandardCharsets.UTF_8)).isEqualTo(line);
    }

    @Test
    void theFixtureCoversEveryKindTheReadmeLists() throws Exception {
        Set<String> kinds = new TreeSet<>();
        for (String line : fixtureLines()) {
            kinds.add(EventLines.decode(line.getBytes(StandardCharsets.UTF_8)).kind());
        }
        assertThat(kinds).containsExactlyInAnyOrder("rule_pending", "rule_firing", "rule_inactive", "rule_unknown",
                "action_started", "action_finished", "action_skipped", "rollback_verified",
                "rollback_verification_failed", "rule_rearmed", "deployment_started", "deployment_healthy",
                "deployment_rolled_back", "deployment_finished", "config_reloaded", "config_reload_failed");
    }

    static Stream<Arguments> records() {
        Map<String, String> labels = Map.of("check", "api");
        Map<String, Object> deployment = new LinkedHashMap<>();
        deployment.put("id", "d1-20260101T000000Z");
        deployment.put("version", "v42");
        deployment.put("state", "watching");
        deployment.put("baseline_window", "10m");
        deployment.put("baselines", List.of());
        return Stream.of(
                arguments(new RuleChanged("api-down", labels, "pending", "firing", "held 2m of for=2m", 0.0, 0.0, 60.0,
                        12, "check_up == 0", "critical"), "rule_firing",
                        "{\"rule\":\"api-down\",\"labels\":{\"check\":\"api\"},\"from\":\"pending\",\"to\":\"firing\","
                                + "\"reason\":\"held 2m of for=2m\",\"value\":0.0,\"threshold\":0.0,"
                                + "\"window_seconds\":60.0,\"samples\":12,\"condition\":\"check_up == 0\","
                                + "\"severity\":\"critical\"}"),
                arguments(new RuleChanged("api-down", labels, "pending", "unknown", "no data", null, null, 0.0, 0,
                        "check_up == 0", "critical"), "rule_unknown", null),
                arguments(new ActionStarted("rollback", "exec", true, false,
                        new Firing("api-down", labels, 9, false, "restart")), "action_started",
                        "{\"rule\":\"api-down\",\"labels\":{\"check\":\"api\"},\"action\":\"rollback\","
                                + "\"type\":\"exec\",\"rollback\":true,\"dry_run\":false,\"fired_event_id\":9,"
                                + "\"reminder\":false,\"on_failure_of\":\"restart\"}"),
                arguments(new ActionStarted("announce", "webhook", false, false,
                        new ForDeployment("on_healthy", 2, "d1", "v41")), "action_started",
                        "{\"action\":\"announce\",\"type\":\"webhook\",\"rollback\":false,\"dry_run\":false,"
                                + "\"trigger\":\"on_healthy\",\"trigger_event_id\":2,\"deployment_id\":\"d1\","
                                + "\"deployment_version\":\"v41\"}"),
                arguments(new ActionFinished("announce", new ForDeployment("on_healthy", 2, "d1", "v41"), 3, "ok",
                        null, 0.12, "HTTP 200", ""), "action_finished",
                        "{\"action\":\"announce\",\"trigger\":\"on_healthy\",\"deployment_id\":\"d1\","
                                + "\"started_event_id\":3,\"result\":\"ok\",\"exit_code\":null,"
                                + "\"duration_seconds\":0.12,\"message\":\"HTTP 200\",\"output\":\"\"}"),
                arguments(new ActionSkipped("api-down", labels, "rollback", "skipped_already_rolled_back",
                        "rollback already ran for deployment d1"), "action_skipped", null),
                arguments(new RollbackVerification(false, "slow", "rollback", List.of("api"), "api: refused"),
                        "rollback_verification_failed", null),
                arguments(new ActionInterrupted("api-down", labels, "rollback", 12, 13, "2026-11-22T03:04:05Z",
                        "20261122T030405Z-12", "the agent stopped"), "action_interrupted",
                        "{\"rule\":\"api-down\",\"labels\":{\"check\":\"api\"},\"action\":\"rollback\","
                                + "\"fired_event_id\":12,\"started_event_id\":13,\"started_at\":\"2026-11-22T03:04:05Z\","
                                + "\"result\":\"interrupted\",\"incident\":\"20261122T030405Z-12\","
                                + "\"message\":\"the agent stopped\"}"),
                arguments(new ActionInterrupted("api-down", labels, "rollback", 12, 0, "2026-11-22T03:04:05Z",
                        null, "the agent stopped"), "action_interrupted", null),
                arguments(new RulesRearmed(List.of("api-down")), "rule_rearmed", "{\"rules\":[\"api-down\"]}"),
                arguments(DeploymentChanged.of(DeploymentChange.HEALTHY, deployment), "deployment_healthy",
                        "{\"deployment_id\":\"d1-20260101T000000Z\",\"version\":\"v42\",\"state\":\"watching\"}"),
                arguments(DeploymentChanged.of(DeploymentChange.STARTED, deployment), "deployment_started",
                        "{\"deployment_id\":\"d1-20260101T000000Z\",\"version\":\"v42\",\"state\":\"watching\","
                                + "\"baseline_window\":\"10m\",\"baselines\":[]}"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("records")
    void eachRecordKnowsItsKindAndReadsBackFromWhatItWrites(JournalEvent record, String kind, String json)
            throws Exception {
        Event event = new Event(7, TIME, record.kind(), record.fields());
        String line = new String(EventLines.encode(event), StandardCharsets.UTF_8);

        assertThat(record.kind()).isEqualTo(kind);
        if (json != null) {
            assertThat(line).isEqualTo("{\"id\":7,\"time\":\"2026-11-22T03:04:05.123Z\",\"kind\":\"" + kind + "\","
                    + json.substring(1) + "\n");
        }
        Event read = EventLines.decode(line.getBytes(StandardCharsets.UTF_8));
        assertThat(JournalEvent.read(read).fields()).isEqualTo(record.fields());
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                arguments("an unknown kind", "rule_exploded", Map.of(), "event 3: unknown kind rule_exploded"),
                arguments("a missing field", "rule_rearmed", Map.of(), "event 3 (rule_rearmed): field rules is missing"),
                arguments("a field of another type", "action_skipped", Map.of("rule", 1L),
                        "event 3 (action_skipped): field rule is not a string"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void aLineNoRecordKnowsIsRefusedWithWhatIsWrong(String name, String kind, Map<String, Object> fields,
            String message) {
        assertThatThrownBy(() -> JournalEvent.read(new Event(3, TIME, kind, fields)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }
}
