package io.rollguard.rule;

import static io.rollguard.rule.RuleState.FIRING;
import static io.rollguard.rule.RuleState.INACTIVE;
import static io.rollguard.rule.RuleState.PENDING;
import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.config.Config;
import io.rollguard.config.ConfigException;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.store.LabelSet;
import io.rollguard.store.SeriesStore;
import io.rollguard.time.FakeTime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Rules that Alertmanager drives ({@code source = "alertmanager"}): their alerts go through the same state machine
 * as a local rule's condition, with {@code for} and {@code clear_for}, one state per alert, labels into the event.
 */
class AlertRulesTest {
    private static final Duration TICK = Duration.ofSeconds(10);
    private static final String CONFIG = """
            [[rule]]
            name = "fleet-rollback"
            source = "alertmanager"
            for = "20s"
            severity = "critical"

            [[rule]]
            name = "mapped"
            source = "alertmanager"

            [[rule]]
            name = "local"
            when = "memory_used_ratio > 90%"

            [alertmanager]
            rules = { "FleetErrorRate" = "mapped" }
            """;

    private final FakeTime time = new FakeTime();
    private final List<RuleTransition> transitions = new ArrayList<>();
    private AlertInbox inbox;
    private RuleEngine engine;

    private void start() throws ConfigException {
        Config config = ConfigLoader.parse(new ConfigSource("rollguard.toml", CONFIG, Path.of("/etc/rollguard")));
        inbox = new AlertInbox(config.rules(), config.alertmanager().rules());
        engine = new RuleEngine(config.rules(), new SeriesStore(), transitions::add, time, TICK,
                Duration.ofMinutes(10), inbox);
    }

    @Test
    void aReloadKeepsTheFiringAlertsOfARuleAlertmanagerStillDrivesAndLetsGoOfARemovedRulesOnes()
            throws ConfigException {
        start();
        inbox.receive(List.of(alert(true, "alertname", "A", "rollguard_rule", "fleet-rollback"),
                alert(true, "alertname", "FleetErrorRate")));
        Config reloaded = ConfigLoader.parse(new ConfigSource("rollguard.toml", CONFIG.replace("""
                [[rule]]
                name = "mapped"
                source = "alertmanager"
                """, "").replace("rules = { \"FleetErrorRate\" = \"mapped\" }", ""), Path.of("/etc/rollguard")));

        inbox.reconfigure(reloaded.rules(), reloaded.alertmanager().rules());

        assertThat(inbox.firing("fleet-rollback")).containsOnlyKeys(LabelSet.of("alertname", "A"));
        assertThat(inbox.firing("mapped")).isEmpty();
        assertThat(inbox.receive(List.of(alert(true, "alertname", "FleetErrorRate"))).accepted())
                .as("no longer mapped").isZero();
    }

    @Test
    void aFiringAlertHoldsForForThenFiresOnceWhateverAlertmanagerRepeatsAndItsResolutionClearsTheRule()
            throws ConfigException {
        start();
        AlertInbox.Alert firing = alert(true, "alertname", "FleetErrorRate", "rollguard_rule", "fleet-rollback",
                "service", "web");

        assertThat(inbox.receive(List.of(firing)).accepted()).isEqualTo(1);
        evaluate();
        time.advance(TICK);
        assertThat(inbox.receive(List.of(firing))).isEqualTo(new AlertInbox.Receipt(1, List.of()));
        evaluate();
        time.advance(TICK);
        evaluate();
        for (int repeat = 0; repeat < 3; repeat++) { // Alertmanager's repeat_interval: the same alert again
            time.advance(TICK);
            inbox.receive(List.of(firing));
            evaluate();
        }

        LabelSet labels = LabelSet.of("alertname", "FleetErrorRate", "service", "web");
        assertThat(transitions).extracting(RuleTransition::to).containsExactly(PENDING, FIRING);
        assertThat(transitions).allSatisfy(t -> {
            assertThat(t.rule().name()).isEqualTo("fleet-rollback");
            assertThat(t.labels()).isEqualTo(labels);
        });
        assertThat(transitions.get(0).reason()).isEqualTo("alert FleetErrorRate firing; fires if it holds for 20s");
        assertThat(transitions.get(1).reason()).isEqualTo("held 20s of for=20s");
        assertThat(state("fleet-rollback")).isEqualTo(FIRING);

        inbox.receive(List.of(alert(false, "alertname", "FleetErrorRate", "rollguard_rule", "fleet-rollback",
                "service", "web")));
        evaluate();

        assertThat(transitions).extracting(RuleTransition::to).containsExactly(PENDING, FIRING, INACTIVE);
        assertThat(transitions.get(2).reason()).isEqualTo("alert FleetErrorRate resolved");
        RuleStatus status = status("fleet-rollback");
        assertThat(status.state()).isEqualTo(INACTIVE);
        assertThat(status.instances()).as("a resolved alert's label set is forgotten").isEmpty();
    }

    @Test
    void anAlertNamesItsRuleByLabelOrThroughTheMappingAndEachLabelSetHasItsOwnState() throws ConfigException {
        start();
        inbox.receive(List.of(alert(true, "alertname", "FleetErrorRate", "service", "web"),
                alert(true, "alertname", "FleetErrorRate", "service", "api")));
        evaluate();

        assertThat(transitions).extracting(RuleTransition::to).containsExactly(FIRING, FIRING);
        assertThat(transitions).extracting(t -> t.rule().name()).containsOnly("mapped");
        assertThat(status("mapped").instances()).extracting(RuleStatus.Instance::labels).containsExactlyInAnyOrder(
                LabelSet.of("alertname", "FleetErrorRate", "service", "web"),
                LabelSet.of("alertname", "FleetErrorRate", "service", "api"));

        inbox.receive(List.of(alert(false, "alertname", "FleetErrorRate", "service", "api")));
        evaluate();
        assertThat(status("mapped").instances()).extracting(RuleStatus.Instance::labels)
                .containsExactly(LabelSet.of("alertname", "FleetErrorRate", "service", "web"));
        assertThat(state("mapped")).isEqualTo(FIRING);
    }

    @Test
    void anAlertForNoRuleOrForALocalRuleIsIgnoredAndSaysWhy() throws ConfigException {
        start();
        AlertInbox.Receipt receipt = inbox.receive(List.of(
                alert(true, "alertname", "Other"),
                alert(true, "alertname", "X", "rollguard_rule", "no-such-rule"),
                alert(true, "alertname", "Y", "rollguard_rule", "local"),
                alert(true, "severity", "page")));
        evaluate();

        assertThat(receipt.accepted()).isZero();
        assertThat(receipt.ignored()).containsExactly(
                new AlertInbox.Ignored("Other", "no rollguard_rule label, and alertname \"Other\" is not mapped in "
                        + "[alertmanager] rules"),
                new AlertInbox.Ignored("X", "no rule named \"no-such-rule\""),
                new AlertInbox.Ignored("Y", "rule \"local\" has a when of its own; a rule that Alertmanager drives "
                        + "says source = \"alertmanager\""),
                new AlertInbox.Ignored("{severity=\"page\"}", "no rollguard_rule label, and no alertname"));
        assertThat(transitions).isEmpty();
    }

    @Test
    void anIgnoredAlertIsLoggedOnceHoweverOftenAlertmanagerRepeatsIt() throws ConfigException {
        start();
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger)
                org.slf4j.LoggerFactory.getLogger(AlertInbox.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
                new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            for (int repeat = 0; repeat < 5; repeat++) {
                assertThat(inbox.receive(List.of(alert(true, "alertname", "X", "rollguard_rule", "nope")))
                        .ignored()).hasSize(1);
            }

            assertThat(lines.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .containsExactly("alertmanager alert X ignored: no rule named \"nope\"");
        } finally {
            logger.detachAppender(lines);
        }
    }

    @Test
    void atMostAThousandAlertsFireAtOnceAndAResolvedOneMakesRoom() throws ConfigException {
        start();
        List<AlertInbox.Alert> many = new ArrayList<>();
        for (int i = 0; i <= AlertInbox.MAX_FIRING; i++) {
            many.add(alert(true, "alertname", "A" + i, "rollguard_rule", "fleet-rollback"));
        }

        AlertInbox.Receipt receipt = inbox.receive(many);
        AlertInbox.Receipt repeated = inbox.receive(List.of(many.get(0)));
        inbox.receive(List.of(alert(false, "alertname", "A0", "rollguard_rule", "fleet-rollback")));
        AlertInbox.Receipt room = inbox.receive(List.of(many.get(AlertInbox.MAX_FIRING)));

        assertThat(receipt.accepted()).isEqualTo(1000);
        assertThat(receipt.ignored()).containsExactly(new AlertInbox.Ignored("A1000",
                "already 1000 alerts firing; resolve some first"));
        assertThat(repeated.accepted()).as("an alert already firing takes no room").isEqualTo(1);
        assertThat(room.accepted()).isEqualTo(1);
        assertThat(inbox.firing("fleet-rollback")).hasSize(1000).doesNotContainValue("A0").containsValue("A1000");
    }

    @Test
    void withoutAlertsARuleThatAlertmanagerDrivesIsInactiveNotUnknown() throws ConfigException {
        start();
        evaluate();
        time.advance(TICK);
        evaluate();

        assertThat(transitions).isEmpty();
        assertThat(state("fleet-rollback")).isEqualTo(INACTIVE);
    }

    private static AlertInbox.Alert alert(boolean firing, String... labels) {
        Map<String, String> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            map.put(labels[i], labels[i + 1]);
        }
        return new AlertInbox.Alert(firing, map);
    }

    private void evaluate() {
        engine.evaluate(time.nanoTime(), false);
    }

    private RuleState state(String rule) {
        return status(rule).state();
    }

    private RuleStatus status(String rule) {
        return engine.statuses().stream().filter(s -> s.rule().name().equals(rule)).findFirst().orElseThrow();
    }
}
