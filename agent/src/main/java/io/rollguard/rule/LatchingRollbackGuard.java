package io.rollguard.rule;

import static java.util.Objects.requireNonNull;

import io.rollguard.check.CheckRunner;
import io.rollguard.common.Failures;
import io.rollguard.config.action.RollbackSettings;
import io.rollguard.journal.Journal;
import io.rollguard.journal.JournalEvent.RulesRearmed;
import io.rollguard.journal.StateSection;
import io.rollguard.journal.StateStore;
import io.rollguard.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rollback guard of the agent: latches and recent start times kept in {@code state.json}'s {@code latches} and
 * {@code rollback_starts} sections, so that a restart never runs a rollback that already ran. A damaged state file
 * blocks every rollback, since whether one already ran is unknown, until everything is re-armed.
 *
 * <p>Thread-safe: every method takes this object's lock, and writes the state store under it; it calls nothing that
 * calls back. {@link #latches()} alone reads without the lock, what was published at the last change: the HTTP
 * handlers call it, and must not wait for a state write (an fsync on a slow disk) in progress under the lock.
 */
public final class LatchingRollbackGuard implements RollbackGuard {
    private static final Logger log = LoggerFactory.getLogger(Responder.class);
    private static final Duration HOUR = Duration.ofHours(1);
    static final Duration VERIFY_PAUSE = Duration.ofSeconds(5);

    /** How a rollback's checks are run: {@link CheckRunner#verify}. */
    @FunctionalInterface
    public interface Verifier {
        CompletableFuture<CheckRunner.Verification> verify(List<String> checks, Duration within, Duration pause);
    }

    private final StateStore state;
    private final Verifier verifier;
    private final EventLog events;
    private final TimeSource time;
    private final Map<String, Latch> latches = new TreeMap<>();
    /** {@link #latches} as of its last change, for readers that must not take the lock. */
    private volatile List<Latch> published = List.of();
    private final Deque<Instant> starts = new ArrayDeque<>();
    private final Map<String, Long> started = new TreeMap<>();
    private final Map<String, Boolean> verified = new TreeMap<>();
    private boolean running;
    /** The rules whose rollback started and has not ended: {@code "running": true} in their latch on disk. */
    private final java.util.Set<String> runningRules = new java.util.TreeSet<>();
    /** Latches that were running when the agent last stopped: for {@link #takeInterrupted()}, once. */
    private final List<Latch> interrupted = new ArrayList<>();

    /** Reads the latches the state store holds from before a restart. */
    public LatchingRollbackGuard(StateStore state, Verifier verifier, Journal journal, TimeSource time) {
        this.state = requireNonNull(state, "state");
        this.verifier = requireNonNull(verifier, "verifier");
        this.events = new EventLog(journal);
        this.time = requireNonNull(time, "time");
        load();
    }

    private void load() {
        try {
            Object saved = state.saved(StateSection.LATCHES).orElse(Map.of());
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) saved).entrySet()) {
                Map<?, ?> latch = (Map<?, ?>) entry.getValue();
                Object deployment = latch.get("deployment_id");
                Latch read = new Latch(String.valueOf(entry.getKey()),
                        String.valueOf(latch.get("action")), Instant.parse(String.valueOf(latch.get("at"))),
                        ((Number) latch.get("event_id")).longValue(),
                        deployment == null ? "" : String.valueOf(deployment));
                latches.put(read.rule(), read);
                if (Boolean.TRUE.equals(latch.get("running"))) {
                    interrupted.add(read);
                }
            }
            ((List<?>) state.saved(StateSection.ROLLBACK_STARTS).orElse(List.of()))
                    .forEach(s -> starts.addLast(Instant.parse(String.valueOf(s))));
        } catch (RuntimeException e) { // a latch that cannot be read may be one that ran: block rather than forget
            latches.clear();
            starts.clear();
            interrupted.clear();
            state.damaged(Failures.describe(e));
        }
        published = List.copyOf(latches.values());
        Optional<String> damage = state.damage();
        if (damage.isPresent()) {
            log.error("cannot read the state file {}: {}; no rollback runs until it is fixed or `rollguard rearm`",
                    state.path(), damage.get());
        } else if (!latches.isEmpty()) {
            log.info("rollbacks latched from before the restart: {}", String.join(", ", latches.keySet()));
        }
    }

    @Override
    public synchronized Optional<Refusal> refusal(String rule, String action, RollbackSettings settings,
            String deploymentId) {
        Optional<String> damage = state.damage();
        if (damage.isPresent()) {
            return Optional.of(new Refusal("skipped_latched", "the state file cannot be read, so whether this "
                    + "rollback already ran is unknown (" + damage.get() + "); fix or remove it, then re-arm"));
        }
        Latch own = latches.get(rule);
        if (own != null) {
            return Optional.of(new Refusal("skipped_latched", own.action() + " already ran for " + rule + " at "
                    + own.at() + " (event " + own.eventId() + "); re-arm with: rollguard rearm " + rule));
        }
        if (!deploymentId.isEmpty()) {
            for (Latch latch : latches.values()) {
                if (latch.action().equals(action) && latch.deploymentId().equals(deploymentId)) {
                    return Optional.of(new Refusal("skipped_already_rolled_back", action + " already rolled back "
                            + "deployment " + deploymentId + " for rule " + latch.rule() + " at " + latch.at()
                            + " (event " + latch.eventId() + "); re-arm with: rollguard rearm " + latch.rule()));
                }
            }
        }
        if (running) {
            return Optional.of(new Refusal("skipped_busy", "another rollback is running"));
        }
        Instant hourAgo = time.now().minus(HOUR);
        starts.removeIf(start -> start.isBefore(hourAgo));
        if (starts.size() >= settings.maxPerHour()) {
            // The oldest start leaves the hour first: from then on one more may start, at the rule's next firing.
            Instant freed = starts.peekFirst().plus(HOUR);
            return Optional.of(new Refusal("rate_limited", starts.size() + " rollbacks in the last hour "
                    + "(max_per_hour = " + settings.maxPerHour() + "); rate limited until " + freed
                    + ", after which the rule's next firing may roll back"));
        }
        return Optional.empty();
    }

    @Override
    public synchronized Optional<String> started(String rule, String action, String deploymentId,
            long firedEventId) {
        latches.put(rule, new Latch(rule, action, time.now(), firedEventId, deploymentId));
        starts.addLast(time.now());
        started.merge(rule, 1L, Long::sum);
        running = true;
        runningRules.add(rule);
        if (save()) {
            return Optional.empty();
        }
        return Optional.of(state.writeFailure().or(state::damage).orElse("the state file could not be written"));
    }

    @Override
    public synchronized void withdrawn(String rule) {
        latches.remove(rule);
        starts.pollLast();
        started.computeIfPresent(rule, (name, count) -> count > 1 ? count - 1 : null);
        running = false;
        runningRules.remove(rule);
        published = List.copyOf(latches.values());
    }

    @Override
    public CompletableFuture<CheckRunner.Verification> verify(RollbackSettings settings) {
        return verifier.verify(settings.verify(), settings.verifyWithin(), VERIFY_PAUSE);
    }

    @Override
    public synchronized void ended(String rule, Optional<Boolean> passed) {
        running = false;
        passed.ifPresent(p -> verified.put(rule, p));
        if (runningRules.remove(rule) && latches.containsKey(rule)) {
            save(); // no longer running: a restart from here on has nothing to report as interrupted
        }
    }

    @Override
    public synchronized List<Latch> takeInterrupted() {
        List<Latch> taken = List.copyOf(interrupted);
        interrupted.clear();
        if (!taken.isEmpty()) {
            save(); // reported once: the flags leave state.json
        }
        return taken;
    }

    @Override
    public synchronized List<String> rearm(String rule) {
        List<String> rearmed = new ArrayList<>();
        for (Iterator<String> it = latches.keySet().iterator(); it.hasNext();) {
            String latched = it.next();
            if (rule == null || latched.equals(rule)) {
                it.remove();
                rearmed.add(latched);
            }
        }
        if (rule == null && state.damage().isPresent()) {
            state.forgetDamage(); // a person decided: the damaged state no longer blocks rollbacks
            rearmed.add("(state file)");
        }
        if (!rearmed.isEmpty()) {
            rearmed.forEach(verified::remove);
            save();
            events.append(new RulesRearmed(rearmed));
            log.info("re-armed {}", String.join(", ", rearmed));
        }
        return rearmed;
    }

    @Override
    public synchronized List<String> forget(Predicate<String> stillConfigured) {
        List<String> dropped = new ArrayList<>();
        for (Iterator<String> it = latches.keySet().iterator(); it.hasNext();) {
            String rule = it.next();
            if (!stillConfigured.test(rule)) {
                it.remove();
                verified.remove(rule);
                dropped.add(rule);
            }
        }
        if (!dropped.isEmpty()) {
            save();
            log.info("dropped the latches of removed rules: {}", String.join(", ", dropped));
        }
        return dropped;
    }

    @Override
    public List<Latch> latches() {
        return published;
    }

    @Override
    public synchronized boolean latched(String rule) {
        return latches.containsKey(rule);
    }

    @Override
    public synchronized Map<String, Long> rollbacksStarted() {
        return Map.copyOf(started);
    }

    @Override
    public synchronized Map<String, Boolean> verified() {
        return new TreeMap<>(verified);
    }

    /** Publishes the latches to lock-free readers, then writes them, which may take as long as the disk does. */
    private boolean save() {
        published = List.copyOf(latches.values());
        return state.write(sections());
    }

    /** The guard's sections of state.json as they are now. */
    Map<StateSection, Object> sections() {
        Map<String, Object> saved = new LinkedHashMap<>();
        for (Latch latch : latches.values()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("action", latch.action());
            entry.put("at", latch.at().toString());
            entry.put("event_id", latch.eventId());
            if (!latch.deploymentId().isEmpty()) { // a latch without a deployment is written as older versions did
                entry.put("deployment_id", latch.deploymentId());
            }
            if (runningRules.contains(latch.rule()) || interrupted.contains(latch)) {
                entry.put("running", true);
            }
            saved.put(latch.rule(), entry);
        }
        Map<StateSection, Object> sections = new EnumMap<>(StateSection.class);
        sections.put(StateSection.LATCHES, saved);
        sections.put(StateSection.ROLLBACK_STARTS, starts.stream().map(Instant::toString).toList());
        return sections;
    }
}
