package io.rollguard.rule;

import static java.util.Objects.requireNonNull;

import io.rollguard.config.DeploySettings;
import io.rollguard.config.RuleConfig;
import io.rollguard.common.Failures;
import io.rollguard.rule.expr.Baselines;
import io.rollguard.rule.expr.Basis;
import io.rollguard.rule.expr.Comparison;
import io.rollguard.rule.expr.Evaluator;
import io.rollguard.rule.expr.HistoryWindows;
import io.rollguard.rule.expr.Selector;
import io.rollguard.rule.expr.Verdict;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesStore;
import io.rollguard.store.SeriesView;
import io.rollguard.store.SeriesWriter;
import io.rollguard.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates every rule once per tick, on the scheduler thread, and keeps one state machine per rule and label set:
 * a rule over {@code filesystem_used_ratio} has a state per mount, as a Prometheus alert has one per label set.
 * Transitions go to a listener (which journals them and starts actions); the rules' states are published as series.
 * A rule whose evaluation throws is isolated: it counts a failure and the others go on.
 */
public final class RuleEngine {
    private static final Logger log = LoggerFactory.getLogger(RuleEngine.class);

    static final MetricFamily STATE = MetricFamily.gauge("rollguard_rule_state",
            "The rule's state for one label set: 0 inactive, 1 pending, 2 firing, 3 unknown (no data).");
    static final MetricFamily VALUE = MetricFamily.gauge("rollguard_rule_value",
            "The left-hand side of the rule's condition at its last evaluation.");
    static final MetricFamily FIRING_SINCE = MetricFamily.gauge("rollguard_rule_firing_since_seconds",
            "Unix time at which the rule started firing for this label set.");
    static final MetricFamily FAILURES = MetricFamily.counter("rollguard_rule_evaluation_failures_total",
            "Evaluations of the rule that failed.");
    static final MetricFamily INFO = MetricFamily.info("rollguard_rule_info",
            "Always 1, one per rule: its severity, to route alerts on its series by (group_left).");
    static final MetricFamily SCORE = MetricFamily.gauge("rollguard_deployment_score",
            "The current deployment's canary score, 0 to 100: the weighted share of the regressed(...) rules' label sets"
                    + " with data that pass; absent while none has data.");
    static final MetricFamily SERIES = MetricFamily.gauge("rollguard_rule_series",
            "Series the rule's selectors matched at its last evaluation, summed over its selectors.");
    /** How many ticks a selector may match nothing before its rule says so, in /health/detailed and the API. */
    static final int NO_MATCH_TICKS = 3;

    private final List<CompiledRule> rules = new ArrayList<>();
    private final SeriesStore store;
    private final Consumer<RuleTransition> listener;
    private final TimeSource time;
    private final Duration interval;
    private final Evaluator evaluator = new Evaluator();
    private final AlertInbox alerts;
    private final Duration readHistory;
    private volatile Scorecard scorecard = Scorecard.NONE;

    /** A rule, its label sets' state machines and its failure count. */
    private static final class CompiledRule {
        final RuleConfig config;
        // Built once: rebuilding the series' label sets each tick (sorting and checking every name) was the largest
        // allocation of an evaluation pass.
        final LabelSet failureLabels;
        final Map<LabelSet, Instance> instances = new LinkedHashMap<>();
        // What its selectors match; null for a rule that Alertmanager drives, which has none.
        SelectorMatches matches;
        // Whether its condition has a regressed(...): it enters the deployment's canary score.
        final boolean scored;
        long failures;
        String lastError;

        CompiledRule(RuleConfig config, Duration interval) {
            this.config = config;
            this.failureLabels = LabelSet.of("rule", config.name());
            this.matches = config.fromAlertmanager() ? null
                    : new SelectorMatches(config.condition(), interval.multipliedBy(NO_MATCH_TICKS));
            this.scored = !config.fromAlertmanager() && HistoryWindows.hasRegressed(config.condition());
        }
    }

    /** One label set of a rule. */
    private static final class Instance {
        final RuleStateMachine machine;
        // Stands for the rule as a whole while no label set has had data yet.
        boolean wholeRule;
        // The label set's labels plus the rule's name, the labels of its series; fixed for the instance's life.
        final LabelSet seriesLabels;
        Instant since;
        String reason = "condition false";
        double value = Double.NaN;
        double threshold = Double.NaN;
        Basis basis = Basis.NONE;
        // The statistics of a regressed(...) that decided at the last evaluation; null for any other.
        Comparison comparison;
        Instant firingSince;
        // The alert behind the label set, for a rule that Alertmanager drives; null for a local rule.
        String alertName;

        Instance(RuleConfig config, LabelSet labels, Instant now) {
            this.machine = new RuleStateMachine(config.forDuration(), config.clearFor(), config.fireOnMissing(),
                    config.resolveAfter());
            this.seriesLabels = seriesLabels(labels, config.name());
            this.since = now;
        }

        private static LabelSet seriesLabels(LabelSet labels, String rule) {
            Map<String, String> withRule = new LinkedHashMap<>(labels.toMap());
            withRule.put("rule", rule);
            return LabelSet.of(withRule);
        }
    }

    /**
     * @param interval the tick, the period of the rules' own series
     * @param listener receives every transition, on the scheduler thread: it must not block
     */
    public RuleEngine(List<RuleConfig> configs, SeriesStore store, Consumer<RuleTransition> listener,
            TimeSource time, Duration interval) {
        this(configs, store, listener, time, interval, DeploySettings.DEFAULT_BASELINE_WINDOW);
    }

    /** @param baselineWindow how long the series a {@code baseline(...)} reads keep history, to capture it from */
    public RuleEngine(List<RuleConfig> configs, SeriesStore store, Consumer<RuleTransition> listener,
            TimeSource time, Duration interval, Duration baselineWindow) {
        this(configs, store, listener, time, interval, baselineWindow, AlertInbox.none(), Duration.ZERO);
    }

    /** @param alerts what drives the rules with {@code source = "alertmanager"}: their firing alerts */
    public RuleEngine(List<RuleConfig> configs, SeriesStore store, Consumer<RuleTransition> listener,
            TimeSource time, Duration interval, Duration baselineWindow, AlertInbox alerts) {
        this(configs, store, listener, time, interval, baselineWindow, alerts, Duration.ZERO);
    }

    /**
     * @param readHistory how long every series a rule reads keeps history at least, for the status page to draw it
     */
    public RuleEngine(List<RuleConfig> configs, SeriesStore store, Consumer<RuleTransition> listener,
            TimeSource time, Duration interval, Duration baselineWindow, Duration readHistory) {
        this(configs, store, listener, time, interval, baselineWindow, AlertInbox.none(), readHistory);
    }

    /**
     * @param alerts what drives the rules with {@code source = "alertmanager"}: their firing alerts
     * @param readHistory how long every series a rule reads keeps history at least, for the status page to draw it;
     *     zero for only what the rules themselves need
     */
    public RuleEngine(List<RuleConfig> configs, SeriesStore store, Consumer<RuleTransition> listener,
            TimeSource time, Duration interval, Duration baselineWindow, AlertInbox alerts, Duration readHistory) {
        this.alerts = requireNonNull(alerts, "alerts");
        this.store = requireNonNull(store, "store");
        this.listener = requireNonNull(listener, "listener");
        this.time = requireNonNull(time, "time");
        this.interval = requireNonNull(interval, "interval");
        this.readHistory = requireNonNull(readHistory, "readHistory");
        for (RuleConfig config : configs) {
            rules.add(new CompiledRule(config, interval));
        }
        trackHistory(configs, baselineWindow);
    }

    private void trackHistory(List<RuleConfig> configs, Duration baselineWindow) {
        Map<String, Duration> windows = new HashMap<>();
        for (RuleConfig config : configs) {
            if (config.fromAlertmanager()) {
                continue;
            }
            HistoryWindows.of(config.condition()).forEach((name, window) -> windows.merge(name, window,
                    (a, b) -> a.compareTo(b) >= 0 ? a : b));
            for (Selector selector : HistoryWindows.baselineSelectors(config.condition())) {
                windows.merge(selector.name(), baselineWindow, (a, b) -> a.compareTo(b) >= 0 ? a : b);
            }
            if (!readHistory.isZero() && !readHistory.isNegative()) {
                for (Selector selector : HistoryWindows.selectors(config.condition())) {
                    windows.merge(selector.name(), readHistory, (a, b) -> a.compareTo(b) >= 0 ? a : b);
                }
            }
        }
        // History is kept only for the series the rules read, only as long as the longest window reading them (or
        // the status page's, which draws them).
        store.trackOnly(windows);
    }

    /**
     * Takes a reloaded configuration's rules, on the thread that calls {@link #evaluate}. A rule keeps its state
     * (each label set's state machine, since when, its failures) when its name, {@code when}, {@code for},
     * {@code clear_for}, {@code on_missing} and {@code resolve_after} are unchanged, as Prometheus keeps an identical
     * alerting rule's state across a reload; its other settings (severity, actions, description, ...) take effect at
     * once. Any other rule starts inactive. A removed or restarted rule that was pending or firing reports its end, to
     * {@code inactive}, so that its actions stop.
     *
     * @return the names of the rules that kept their state
     */
    public List<String> reconfigure(List<RuleConfig> configs, Duration baselineWindow) {
        Map<String, CompiledRule> old = new LinkedHashMap<>();
        rules.forEach(rule -> old.put(rule.config.name(), rule));
        List<CompiledRule> next = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        for (RuleConfig config : configs) {
            CompiledRule compiled = new CompiledRule(config, interval);
            CompiledRule previous = old.get(config.name());
            if (previous != null && sameStateMachine(previous.config, config)) {
                old.remove(config.name());
                compiled.instances.putAll(previous.instances);
                compiled.matches = previous.matches; // the same when: the same selectors, matching since when
                compiled.failures = previous.failures;
                compiled.lastError = previous.lastError;
                kept.add(config.name());
            }
            next.add(compiled);
        }
        long nowNanos = time.nanoTime();
        Instant now = time.now();
        for (CompiledRule ended : old.values()) {
            boolean stays = configs.stream().anyMatch(config -> config.name().equals(ended.config.name()));
            String reason = stays ? "the rule changed with a reload and starts again" : "the rule was removed by a reload";
            for (Map.Entry<LabelSet, Instance> entry : ended.instances.entrySet()) {
                forget(ended, entry.getKey(), entry.getValue(), reason, nowNanos, now);
            }
        }
        rules.clear();
        rules.addAll(next);
        trackHistory(configs, baselineWindow);
        return kept;
    }

    /** What a rule's state machines are made of: a rule that differs in any of these has different states. */
    private static boolean sameStateMachine(RuleConfig a, RuleConfig b) {
        return a.source() == b.source() && a.when().equals(b.when()) && a.forDuration().equals(b.forDuration())
                && a.clearFor().equals(b.clearFor()) && a.fireOnMissing() == b.fireOnMissing()
                && a.resolveAfter().equals(b.resolveAfter());
    }

    /**
     * Evaluates every rule against one view of the store.
     *
     * @param inWatchWindow whether a deployment's watch window is open: rules with {@code scope = "deploy"} are
     *     evaluated only then, and rest inactive otherwise
     */
    public void evaluate(long nowNanos, boolean inWatchWindow) {
        evaluate(nowNanos, inWatchWindow, Baselines.NONE);
    }

    /**
     * As {@link #evaluate(long, boolean)}, {@code baseline(...)} reading {@code baselines}: the current deployment's.
     */
    public void evaluate(long nowNanos, boolean inWatchWindow, Baselines baselines) {
        requireNonNull(baselines, "baselines");
        SeriesView view = store.view(nowNanos);
        Instant now = time.now();
        for (CompiledRule rule : rules) {
            try {
                if (rule.config.scope() == RuleConfig.Scope.DEPLOY && !inWatchWindow) {
                    forgetAll(rule, nowNanos, now);
                    if (rule.matches != null) {
                        rule.matches.reset();
                    }
                    continue;
                }
                if (rule.config.fromAlertmanager()) {
                    evaluateAlerts(rule, nowNanos, now);
                } else {
                    evaluate(rule, view, baselines, nowNanos, now);
                }
                if (rule.lastError != null) {
                    log.info("rule {} evaluates again", rule.config.name());
                    rule.lastError = null;
                }
            } catch (RuntimeException e) { // isolation: one rule's bug must not stop the others
                rule.failures++;
                if (rule.lastError == null) {
                    log.error("rule {} cannot be evaluated: {}", rule.config.name(), Failures.describe(e));
                }
                rule.lastError = Failures.describe(e);
            }
        }
        Scorecard card = score();
        scorecard = card;
        SeriesWriter out = series();
        if (!Double.isNaN(card.score())) {
            out.put(SCORE, card.score());
        }
        store.replace("rules", out, nowNanos, interval, interval.multipliedBy(3));
    }

    /**
     * The canary score of this evaluation: each label set of each rule with a {@code regressed(...)}, classified by
     * the statistics of its last verdict. A rule that rests (outside a watch window) or has no label set yet counts
     * as one label set with no data.
     */
    private Scorecard score() {
        List<Scorecard.Entry> entries = new ArrayList<>();
        for (CompiledRule rule : rules) {
            if (!rule.scored) {
                continue;
            }
            long weight = rule.config.weight();
            if (rule.instances.isEmpty()) {
                entries.add(new Scorecard.Entry(rule.config.name(), LabelSet.EMPTY, Scorecard.Classification.NODATA,
                        weight, null));
            }
            rule.instances.forEach((labels, instance) -> entries.add(new Scorecard.Entry(rule.config.name(), labels,
                    Scorecard.Entry.classify(instance.comparison), weight, instance.comparison)));
        }
        return entries.isEmpty() ? Scorecard.NONE : new Scorecard(entries);
    }

    /** The canary score of the last evaluation; {@link Scorecard#NONE} before the first. Any thread. */
    public Scorecard scorecard() {
        return scorecard;
    }

    private void evaluate(CompiledRule rule, SeriesView view, Baselines baselines, long nowNanos, Instant now) {
        rule.matches.count(view);
        List<Verdict> evaluated = evaluator.evaluateCondition(rule.config.condition(), view, baselines);
        Map<LabelSet, Verdict> verdicts;
        if (evaluated.size() == 1) {
            // Most rules read one series: a one-entry map spares them a hash table per rule per tick.
            verdicts = Map.of(evaluated.get(0).labels(), evaluated.get(0));
        } else {
            verdicts = new LinkedHashMap<>();
            for (Verdict verdict : evaluated) {
                verdicts.put(verdict.labels(), verdict);
            }
        }
        Instance wholeRule = rule.instances.get(LabelSet.EMPTY);
        if (wholeRule != null && wholeRule.wholeRule && !verdicts.isEmpty() && !verdicts.containsKey(LabelSet.EMPTY)) {
            // Data has come, under its own labels: the rule-wide "no data" ends rather than waiting for data of its
            // own, which never comes. With on_missing = "fire" it would otherwise go on to fire while all is well.
            rule.instances.remove(LabelSet.EMPTY);
            forget(rule, LabelSet.EMPTY, wholeRule, "data arrived; each label set has its own state now", nowNanos,
                    now);
        }
        for (Map.Entry<LabelSet, Verdict> entry : verdicts.entrySet()) {
            Verdict verdict = entry.getValue();
            Instance instance = rule.instances.get(entry.getKey());
            boolean fresh = instance == null;
            if (fresh) {
                instance = new Instance(rule.config, entry.getKey(), now);
                rule.instances.put(entry.getKey(), instance);
            }
            instance.wholeRule = false;
            instance.value = verdict.value();
            instance.threshold = verdict.threshold();
            instance.basis = verdict.basis();
            instance.comparison = verdict.comparison();
            observe(rule, entry.getKey(), instance, verdict.holds() ? Observation.TRUE : Observation.FALSE, nowNanos,
                    now, false);
        }
        if (verdicts.isEmpty() && rule.instances.isEmpty()) {
            // Nothing to evaluate yet: the rule as a whole is unknown, silently, not a transition worth journaling.
            // With on_missing = "fire" it is a breach instead, which must be heard like any other.
            Instance instance = new Instance(rule.config, LabelSet.EMPTY, now);
            instance.wholeRule = true;
            rule.instances.put(LabelSet.EMPTY, instance);
            observe(rule, LabelSet.EMPTY, instance, Observation.MISSING, nowNanos, now, true);
            return;
        }
        for (Iterator<Map.Entry<LabelSet, Instance>> it = rule.instances.entrySet().iterator(); it.hasNext();) {
            Map.Entry<LabelSet, Instance> entry = it.next();
            if (verdicts.containsKey(entry.getKey())) {
                continue;
            }
            Instance instance = entry.getValue();
            instance.value = Double.NaN;
            instance.comparison = null;
            RuleState before = instance.machine.state();
            observe(rule, entry.getKey(), instance, Observation.MISSING, nowNanos, now, false);
            // A label set that went away (an unmounted filesystem) is forgotten once it is not firing, as
            // Prometheus forgets resolved alerts; a firing one stays until it clears, or until its series have been
            // gone for resolve_after (a firing rule that no data resolved: its series are gone for good).
            RuleState state = instance.machine.state();
            boolean gone = before == RuleState.FIRING && state == RuleState.INACTIVE;
            if (gone || (!verdicts.isEmpty() && state != RuleState.FIRING && state != RuleState.PENDING)) {
                it.remove();
            }
        }
    }

    /**
     * A rule that Alertmanager drives holds for each of its firing alerts, under the alert's labels, and goes on
     * through {@code for}, {@code clear_for} and its actions exactly as a local rule does. An alert resolved is a
     * condition false; its label set is forgotten once inactive. No alert at all is no breach, not missing data.
     */
    private void evaluateAlerts(CompiledRule rule, long nowNanos, Instant now) {
        Map<LabelSet, String> firing = alerts.firing(rule.config.name());
        for (Map.Entry<LabelSet, String> alert : firing.entrySet()) {
            Instance instance = rule.instances.get(alert.getKey());
            if (instance == null) {
                instance = new Instance(rule.config, alert.getKey(), now);
                rule.instances.put(alert.getKey(), instance);
            }
            instance.alertName = alert.getValue();
            instance.value = 1;
            observe(rule, alert.getKey(), instance, Observation.TRUE, nowNanos, now, false);
        }
        for (Iterator<Map.Entry<LabelSet, Instance>> it = rule.instances.entrySet().iterator(); it.hasNext();) {
            Map.Entry<LabelSet, Instance> entry = it.next();
            if (firing.containsKey(entry.getKey())) {
                continue;
            }
            Instance instance = entry.getValue();
            instance.value = 0;
            observe(rule, entry.getKey(), instance, Observation.FALSE, nowNanos, now, false);
            if (instance.machine.state() == RuleState.INACTIVE) {
                it.remove();
            }
        }
    }

    /** @param quietUnknown whether a move to unknown goes unreported; any other transition is always reported */
    private void observe(CompiledRule rule, LabelSet labels, Instance instance, Observation observation,
            long nowNanos, Instant now, boolean quietUnknown) {
        Optional<RuleStateMachine.Transition> transition = instance.machine.observe(observation, nowNanos);
        if (transition.isEmpty()) {
            return;
        }
        RuleStateMachine.Transition change = transition.get();
        String reason = change.reason();
        if (instance.alertName != null) {
            // "condition true, for=0s" says little of an alert: name it, and what Alertmanager said of it.
            reason = reason.replace("condition true", "alert " + instance.alertName + " firing")
                    .replace("condition false", "alert " + instance.alertName + " resolved");
        }
        instance.since = now;
        instance.reason = reason;
        instance.firingSince = change.to() == RuleState.FIRING ? now : null;
        if (quietUnknown && change.to() == RuleState.UNKNOWN) {
            return;
        }
        if (rule.scored) {
            // Before the listener acts (a rollback keeps the deployment's score): the score with this label set's
            // new classification, not the last pass's.
            scorecard = score();
        }
        listener.accept(new RuleTransition(rule.config, labels, change.from(), change.to(), reason,
                instance.value, instance.threshold, instance.basis, now, nowNanos, instance.comparison));
    }

    /** A deploy-scoped rule outside a watch window rests inactive; if it was firing, its actions must hear so. */
    private void forgetAll(CompiledRule rule, long nowNanos, Instant now) {
        for (Iterator<Map.Entry<LabelSet, Instance>> it = rule.instances.entrySet().iterator(); it.hasNext();) {
            Map.Entry<LabelSet, Instance> entry = it.next();
            it.remove();
            forget(rule, entry.getKey(), entry.getValue(), "the deployment's watch window closed", nowNanos, now);
        }
    }

    /** Ends a label set that is no longer evaluated: one that was pending or firing says so, so its actions stop. */
    private void forget(CompiledRule rule, LabelSet labels, Instance instance, String reason, long nowNanos,
            Instant now) {
        RuleState state = instance.machine.state();
        if (state == RuleState.PENDING || state == RuleState.FIRING) {
            listener.accept(new RuleTransition(rule.config, labels, state, RuleState.INACTIVE, reason, instance.value,
                    instance.threshold, instance.basis, now, nowNanos));
        }
    }

    private SeriesWriter series() {
        SeriesWriter out = new SeriesWriter();
        for (CompiledRule rule : rules) {
            out.put(INFO, LabelSet.of("rule", rule.config.name(), "severity",
                    rule.config.severity().name().toLowerCase(java.util.Locale.ROOT)), 1);
            out.put(FAILURES, rule.failureLabels, rule.failures);
            if (rule.matches != null) {
                out.put(SERIES, rule.failureLabels, rule.matches.series());
            }
            for (Instance instance : rule.instances.values()) {
                LabelSet set = instance.seriesLabels;
                out.put(STATE, set, instance.machine.state().code());
                out.put(VALUE, set, instance.value);
                if (instance.firingSince != null) {
                    out.put(FIRING_SINCE, set, instance.firingSince.toEpochMilli() / 1000.0);
                }
            }
        }
        return out;
    }

    /** Every rule's state, worst label set first in {@link RuleStatus#state()}. */
    public List<RuleStatus> statuses() {
        List<RuleStatus> statuses = new ArrayList<>();
        for (CompiledRule rule : rules) {
            List<RuleStatus.Instance> instances = new ArrayList<>();
            RuleState worst = RuleState.INACTIVE;
            String problem = rule.matches == null ? null : rule.matches.problem();
            for (Map.Entry<LabelSet, Instance> entry : rule.instances.entrySet()) {
                Instance instance = entry.getValue();
                RuleState state = instance.machine.state();
                String reason = instance.reason;
                if (rule.lastError != null) {
                    reason = "cannot be evaluated: " + rule.lastError;
                } else if (problem != null && state == RuleState.UNKNOWN) {
                    reason = problem; // says what "no data" means here: which selector, matching nothing
                }
                instances.add(new RuleStatus.Instance(entry.getKey(), state, instance.since, reason,
                        instance.value, instance.threshold, instance.basis));
                worst = worse(worst, state);
            }
            statuses.add(new RuleStatus(rule.config, worst, instances,
                    rule.matches == null ? 0 : rule.matches.series(), problem == null ? "" : problem));
        }
        return statuses;
    }

    private static RuleState worse(RuleState a, RuleState b) {
        return rank(b) > rank(a) ? b : a;
    }

    private static int rank(RuleState state) {
        switch (state) {
            case INACTIVE:
                return 0;
            case UNKNOWN:
                return 1;
            case PENDING:
                return 2;
            case FIRING:
                return 3;
        }
        throw new AssertionError(state);
    }
}
