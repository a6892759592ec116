package io.rollguard.config;

import static java.util.Objects.requireNonNull;

import io.rollguard.config.action.ActionConfig;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * What a reload changes: the checks, rules and actions added, removed and changed, and the settings that only a
 * restart applies. Two configurations are compared by value, all the way down: a compiled {@link Pattern} by its
 * text and flags, so that reloading an unchanged file changes nothing.
 *
 * @param restartNeeded the keys whose new value the running agent cannot take, such as {@code http.listen}
 */
public record ConfigDiff(Changes checks, Changes rules, Changes actions, List<String> otherChanges,
        List<String> restartNeeded) {
    public ConfigDiff {
        requireNonNull(checks, "checks");
        requireNonNull(rules, "rules");
        requireNonNull(actions, "actions");
        otherChanges = List.copyOf(otherChanges);
        restartNeeded = List.copyOf(restartNeeded);
    }

    /** The names of one kind of entry added, removed and changed, in file order. */
    public record Changes(List<String> added, List<String> removed, List<String> changed) {
        public Changes {
            added = List.copyOf(added);
            removed = List.copyOf(removed);
            changed = List.copyOf(changed);
        }

        boolean isEmpty() {
            return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
        }

        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("added", added);
            map.put("removed", removed);
            map.put("changed", changed);
            return map;
        }
    }

    /**
     * @param running the configuration in force
     * @param started the one the agent started with: what {@code [http] listen} and {@code [agent] state_dir} and
     *     {@code interval} still are, whatever reloads came since
     */
    public static ConfigDiff between(Config running, Config started, Config next) {
        Changes checks = changes(running.checks(), next.checks(), CheckConfig::name);
        Changes rules = changes(running.rules(), next.rules(), RuleConfig::name);
        Changes actions = changes(List.copyOf(running.actions().values()), List.copyOf(next.actions().values()),
                ActionConfig::name);
        List<String> other = new ArrayList<>();
        if (running.agent().dryRun() != next.agent().dryRun()) {
            other.add("agent.dry_run");
        }
        if (running.agent().logLevel() != next.agent().logLevel()) {
            other.add("agent.log_level");
        }
        if (running.agent().allowInsecurePermissions() != next.agent().allowInsecurePermissions()) {
            other.add("agent.allow_insecure_permissions");
        }
        if (!same(running.http().token(), next.http().token())) {
            other.add("http.token_file"); // the key, never the token
        }
        if (!same(running.http().readToken(), next.http().readToken())) {
            other.add("http.read_token_file");
        }
        if (running.http().healthPublic() != next.http().healthPublic()) {
            other.add("http.health_public");
        }
        if (!same(running.alertmanager(), next.alertmanager())) {
            other.add("alertmanager");
        }
        if (!same(running.samplers(), next.samplers())) {
            other.add("sample");
        }
        if (!same(running.filesystemFilter(), next.filesystemFilter())) {
            other.add("sample.filesystem");
        }
        if (!same(running.processes(), next.processes())) {
            other.add("process");
        }
        if (!same(running.deploy(), next.deploy())) {
            other.add("deploy");
        }
        List<String> restart = new ArrayList<>();
        if (!same(started.http().listen(), next.http().listen())) {
            restart.add("http.listen");
        }
        if (!same(started.http().tls(), next.http().tls())) {
            restart.add("http.tls_cert");
        }
        if (started.http().maxConnections() != next.http().maxConnections()) {
            restart.add("http.max_connections");
        }
        if (started.http().maxConnectionsPerPeer() != next.http().maxConnectionsPerPeer()) {
            restart.add("http.max_connections_per_peer");
        }
        if (!same(started.http().idleTimeout(), next.http().idleTimeout())) {
            restart.add("http.idle_timeout");
        }
        if (!same(started.http().headTimeout(), next.http().headTimeout())) {
            restart.add("http.head_timeout");
        }
        if (!same(started.http().bodyTimeout(), next.http().bodyTimeout())) {
            restart.add("http.body_timeout");
        }
        if (!same(started.sources(), next.sources())) {
            restart.add("source"); // the [[source]] tables: read by their own runner, built once
        }
        if (!same(started.agent().stateDir(), next.agent().stateDir())) {
            restart.add("agent.state_dir");
        }
        if (!same(started.agent().interval(), next.agent().interval())) {
            restart.add("agent.interval");
        }
        return new ConfigDiff(checks, rules, actions, other, restart);
    }

    /** No change at all: what a reload that did not happen reports. */
    public static ConfigDiff none() {
        Changes nothing = new Changes(List.of(), List.of(), List.of());
        return new ConfigDiff(nothing, nothing, nothing, List.of(), List.of());
    }

    public boolean isEmpty() {
        return checks.isEmpty() && rules.isEmpty() && actions.isEmpty() && otherChanges.isEmpty();
    }

    /** For the log line: "2 checks added, 1 rule changed, sample changed", or "nothing changed". */
    public String summary() {
        List<String> parts = new ArrayList<>();
        describe(parts, checks, "check");
        describe(parts, rules, "rule");
        describe(parts, actions, "action");
        otherChanges.forEach(key -> parts.add(key + " changed"));
        return parts.isEmpty() ? "nothing changed" : String.join(", ", parts);
    }

    private static void describe(List<String> parts, Changes changes, String noun) {
        count(parts, changes.added().size(), noun, "added");
        count(parts, changes.removed().size(), noun, "removed");
        count(parts, changes.changed().size(), noun, "changed");
    }

    private static void count(List<String> parts, int count, String noun, String verb) {
        if (count > 0) {
            parts.add(count + " " + noun + (count == 1 ? "" : "s") + " " + verb);
        }
    }

    /** As the reload endpoint and the journal show it. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("checks", checks.toMap());
        map.put("rules", rules.toMap());
        map.put("actions", actions.toMap());
        map.put("other", otherChanges);
        return map;
    }

    private static <T> Changes changes(List<T> before, List<T> after, Function<T, String> name) {
        Map<String, T> old = new LinkedHashMap<>();
        before.forEach(entry -> old.put(name.apply(entry), entry));
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        for (T entry : after) {
            T previous = old.remove(name.apply(entry));
            if (previous == null) {
                added.add(name.apply(entry));
            } else if (!same(previous, entry)) {
                changed.add(name.apply(entry));
            }
        }
        return new Changes(added, List.copyOf(old.keySet()), changed);
    }

    /**
     * Whether two parts of a configuration say the same: records component by component, collections element by
     * element, patterns by their text and flags, everything else by {@code equals}.
     */
    public static boolean same(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (a instanceof List && b instanceof List) {
            return ((List<?>) a).size() == ((List<?>) b).size()
                    && sameElements(((List<?>) a).iterator(), ((List<?>) b).iterator());
        }
        if (a instanceof java.util.Set && b instanceof java.util.Set) {
            return a.equals(b);
        }
        if (a instanceof Map && b instanceof Map) {
            return sameMaps((Map<?, ?>) a, (Map<?, ?>) b);
        }
        if (a.getClass() != b.getClass()) {
            return false;
        }
        if (a instanceof Pattern) {
            Pattern p = (Pattern) a;
            Pattern q = (Pattern) b;
            return p.pattern().equals(q.pattern()) && p.flags() == q.flags();
        }
        if (a.getClass().isRecord()) {
            for (RecordComponent component : a.getClass().getRecordComponents()) {
                if (!same(value(component, a), value(component, b))) {
                    return false;
                }
            }
            return true;
        }
        return Objects.equals(a, b);
    }

    private static boolean sameMaps(Map<?, ?> a, Map<?, ?> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<?, ?> entry : a.entrySet()) {
            if (!same(entry.getValue(), b.get(entry.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameElements(Iterator<?> a, Iterator<?> b) {
        while (a.hasNext() && b.hasNext()) {
            if (!same(a.next(), b.next())) {
                return false;
            }
        }
        return !a.hasNext() && !b.hasNext();
    }

    private static Object value(RecordComponent component, Object record) {
        try {
            java.lang.reflect.Method accessor = component.getAccessor();
            accessor.setAccessible(true);
            return accessor.invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            // Our own records in our own module: an accessor that cannot be read is a bug, not a user error.
            throw new IllegalStateException("cannot compare " + record.getClass().getSimpleName() + "."
                    + component.getName(), e);
        }
    }
}
