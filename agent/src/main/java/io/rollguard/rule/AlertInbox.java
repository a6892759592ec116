package io.rollguard.rule;

import static java.util.Objects.requireNonNull;

import io.rollguard.config.RuleConfig;
import io.rollguard.store.LabelSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alerts Alertmanager's webhook sent that drive a rule with {@code source = "alertmanager"}: an alert names its
 * rule with the label {@code rollguard_rule}, or through {@code [alertmanager] rules} by its {@code alertname}.
 * A firing alert stays here, under its labels, until Alertmanager sends it resolved; the {@link RuleEngine} reads
 * each such rule's firing alerts as the label sets for which its condition holds. Receiving the same firing alert
 * again (Alertmanager repeats them every {@code group_interval} and {@code repeat_interval}) changes nothing.
 *
 * <p>Written by the webhook on the scheduler thread and read by the engine on it; synchronized all the same.
 */
public final class AlertInbox {
    private static final Logger log = LoggerFactory.getLogger(AlertInbox.class);

    /** The label an alert names its rule with. */
    public static final String RULE_LABEL = "rollguard_rule";
    /** At most this many alerts fire at once; more are ignored, and said so, rather than grow without bound. */
    static final int MAX_FIRING = 1000;
    /** Distinct reasons for ignoring an alert logged; further ones are still answered, not logged. */
    static final int MAX_LOGGED = 256;

    /** One alert of a webhook payload. */
    public record Alert(boolean firing, Map<String, String> labels) {
        public Alert {
            labels = Map.copyOf(labels);
        }

        /** How the answer and the log name the alert: its {@code alertname}, or its labels without one. */
        public String name() {
            String name = labels.get("alertname");
            return name != null ? name : LabelSet.of(labels).toString();
        }
    }

    /** An alert that drives no rule, and why. */
    public record Ignored(String alert, String why) {}

    /** What one payload did: how many alerts drive a rule, and those that do not. */
    public record Receipt(int accepted, List<Ignored> ignored) {
        public Receipt {
            ignored = List.copyOf(ignored);
        }
    }

    /** An inbox for an agent without Alertmanager-driven rules: every alert is ignored. */
    public static AlertInbox none() {
        return new AlertInbox(List.of(), Map.of());
    }

    private final Map<String, RuleConfig> rules = new HashMap<>();
    private Map<String, String> byAlertName;
    private final Map<String, Map<LabelSet, String>> firing = new HashMap<>();
    private final Set<String> logged = new HashSet<>();
    private int firingCount;

    /**
     * @param rules every rule; alerts drive only those with {@code source = "alertmanager"}
     * @param byAlertName {@code [alertmanager] rules}: alert name to rule name
     */
    public AlertInbox(List<RuleConfig> rules, Map<String, String> byAlertName) {
        rules.forEach(rule -> this.rules.put(rule.name(), rule));
        this.byAlertName = Map.copyOf(requireNonNull(byAlertName, "byAlertName"));
    }

    /**
     * Takes a reloaded configuration's rules and {@code [alertmanager] rules}. The firing alerts of a rule that
     * Alertmanager still drives stay; those of a rule removed, or no longer driven by Alertmanager, are let go.
     */
    public synchronized void reconfigure(List<RuleConfig> rules, Map<String, String> byAlertName) {
        this.rules.clear();
        rules.forEach(rule -> this.rules.put(rule.name(), rule));
        this.byAlertName = Map.copyOf(requireNonNull(byAlertName, "byAlertName"));
        firing.keySet().removeIf(rule -> this.rules.get(rule) == null || !this.rules.get(rule).fromAlertmanager());
        firingCount = firing.values().stream().mapToInt(Map::size).sum();
    }

    /** Takes one webhook payload's alerts in: firing ones are kept, resolved ones let go. */
    public synchronized Receipt receive(List<Alert> alerts) {
        int accepted = 0;
        List<Ignored> ignored = new ArrayList<>();
        for (Alert alert : alerts) {
            String why = take(alert);
            if (why == null) {
                accepted++;
                continue;
            }
            ignored.add(new Ignored(alert.name(), why));
            String line = alert.name() + ": " + why;
            if (logged.size() < MAX_LOGGED && logged.add(line)) {
                log.warn("alertmanager alert {} ignored: {}", alert.name(), why);
            }
        }
        return new Receipt(accepted, ignored);
    }

    /** Files one alert under its rule; the reason it drives none, or null when it does. */
    private String take(Alert alert) {
        String named = alert.labels().get(RULE_LABEL);
        String alertName = alert.labels().get("alertname");
        String ruleName = named != null ? named : alertName == null ? null : byAlertName.get(alertName);
        if (ruleName == null) {
            return "no " + RULE_LABEL + " label, and " + (alertName == null ? "no alertname"
                    : "alertname \"" + alertName + "\" is not mapped in [alertmanager] rules");
        }
        RuleConfig rule = rules.get(ruleName);
        if (rule == null) {
            return "no rule named \"" + ruleName + "\"";
        }
        if (!rule.fromAlertmanager()) {
            return "rule \"" + ruleName + "\" has a when of its own; a rule that Alertmanager drives says "
                    + "source = \"alertmanager\"";
        }
        Map<String, String> labels = new LinkedHashMap<>(alert.labels());
        labels.remove(RULE_LABEL); // the rule's own label says it; the other labels tell alerts apart
        LabelSet key = LabelSet.of(labels);
        Map<LabelSet, String> ofRule = firing.computeIfAbsent(ruleName, name -> new LinkedHashMap<>());
        if (!alert.firing()) {
            if (ofRule.remove(key) != null) {
                firingCount--;
            }
            return null;
        }
        if (!ofRule.containsKey(key)) {
            if (firingCount >= MAX_FIRING) {
                return "already " + MAX_FIRING + " alerts firing; resolve some first";
            }
            ofRule.put(key, alert.name());
            firingCount++;
        }
        return null;
    }

    /** The firing alerts of {@code rule}: their labels (without {@code rollguard_rule}) and alert names. */
    public synchronized Map<LabelSet, String> firing(String rule) {
        Map<LabelSet, String> alerts = firing.get(rule);
        return alerts == null || alerts.isEmpty() ? Map.of() : new LinkedHashMap<>(alerts);
    }
}
