package io.rollguard.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollguard.rule.AlertInbox;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Alertmanager's webhook payload (version 4) as its documentation describes it, and what a sender gets wrong. */
class AlertmanagerPayloadTest {
    @Test
    void theDocumentedPayloadGivesEachAlertItsStatusAndLabels() throws IOException {
        List<AlertInbox.Alert> alerts = AlertmanagerPayload.parse(fixture("webhook-v4.json"));

        assertThat(alerts).containsExactly(
                new AlertInbox.Alert(true, Map.of("alertname", "FleetErrorRate", "rollguard_rule", "fleet-rollback",
                        "service", "web", "severity", "critical")),
                new AlertInbox.Alert(false, Map.of("alertname", "DiskWillFill", "instance", "web-3:9730",
                        "severity", "warning")));
        assertThat(alerts.get(0).name()).isEqualTo("FleetErrorRate");
    }

    @Test
    void anEmptyListOfAlertsIsAPayloadAndFieldsAlertmanagerAddsLaterAreLeftUnread() {
        assertThat(AlertmanagerPayload.parse("{\"version\": \"4\", \"alerts\": [], \"someday\": {\"new\": 1}}"))
                .isEmpty();
    }

    @Test
    void whatIsNotAVersion4PayloadIsRejectedWithWhatWasExpected() {
        assertRejected("not json", "expected Alertmanager's webhook payload: a JSON object with \"version\": \"4\" "
                + "and \"alerts\"");
        assertRejected("[1, 2]", "expected Alertmanager's webhook payload");
        assertRejected("{\"alerts\": []}", "expected \"version\": \"4\" (Alertmanager's webhook payload), got none");
        assertRejected("{\"version\": \"3\", \"alerts\": []}", "got \"3\"");
        assertRejected("{\"version\": 4, \"alerts\": []}", "got 4");
        assertRejected("{\"version\": \"4\"}", "\"alerts\" must be a list");
        assertRejected("{\"version\": \"4\", \"alerts\": [7]}", "alerts[0] must be an object");
        assertRejected("{\"version\": \"4\", \"alerts\": [{\"status\": \"pending\", \"labels\": {}}]}",
                "alerts[0].status must be \"firing\" or \"resolved\"");
        assertRejected("{\"version\": \"4\", \"alerts\": [{\"status\": \"firing\"}]}",
                "alerts[0].labels must be an object of strings");
        assertRejected("{\"version\": \"4\", \"alerts\": [{\"status\": \"firing\", \"labels\": {}}, "
                + "{\"status\": \"firing\", \"labels\": {\"a\": 1}}]}", "alerts[1].labels.a must be a string");
        assertRejected("{\"version\": \"4\", \"alerts\": [{\"status\": \"firing\", \"labels\": {\"a-b\": \"x\"}}]}",
                "alerts[0].labels: \"a-b\" is not a label name");
        assertRejected("{\"version\": \"4\", \"alerts\": [{\"status\": \"firing\", \"labels\": {\"__name__\": \"x\"}}]}",
                "\"__name__\" is not a label name");
    }

    private static void assertRejected(String body, String message) {
        assertThatThrownBy(() -> AlertmanagerPayload.parse(body)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    static String fixture(String name) throws IOException {
        try (InputStream in = AlertmanagerPayloadTest.class.getResourceAsStream("/alertmanager/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
