package io.rollguard.rule;

import static java.util.Objects.requireNonNull;

import io.rollguard.common.Failures;
import io.rollguard.journal.Journal;
import io.rollguard.journal.JournalEvent.SilenceEnded;
import io.rollguard.journal.JournalEvent.SilenceStarted;
import io.rollguard.journal.StateSection;
import io.rollguard.journal.StateStore;
import io.rollguard.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rollbacks paused by a person for a while, for maintenance: {@code rollguard silence RULE --for 30m}, or every
 * rule's with {@code --all}. A silenced rule is evaluated, fires and is journaled as ever; only its rollback waits,
 * held at every tick, until the silence ends: then it runs if the rule still fires, as Alertmanager notifies an alert
 * still firing when its silence expires. A silence ends by itself at its time ({@code silence_ended}, {@code expired})
 * or when lifted ({@code lifted}); both are journaled, and the silences are kept in {@code state.json}'s
 * {@code silences} section, so a restart keeps them.
 *
 * <p>Thread-safe: every method but {@link #silences()} and {@link #silencing} takes this object's lock, and writes
 * the state store under it; those two read what was published at the last change, for the HTTP handlers and the
 * responder, which must not wait for a write to the disk.
 */
public final class Silences {
    private static final Logger log = LoggerFactory.getLogger(Silences.class);

    /** The rule name of a silence of every rule. */
    public static final String ALL = "*";
    /** The longest silence: one longer is a disabled rule, which belongs in the configuration. */
    public static final Duration MAX = Duration.ofDays(7);
    public static final Duration MIN = Duration.ofSeconds(1);

    /**
     * One silence.
     *
     * @param rule the rule it silences, {@link #ALL} for every rule
     * @param comment why, from the person who set it; empty for none
     */
    public record Silence(String rule, Instant since, Instant until, String comment) {
        public Silence {
            requireNonNull(rule, "rule");
            requireNonNull(since, "since");
            requireNonNull(until, "until");
            requireNonNull(comment, "comment");
        }

        public boolean all() {
            return rule.equals(ALL);
        }

        /** Whether it silences {@code name} at {@code now}. */
        boolean covers(String name, Instant now) {
            return (all() || rule.equals(name)) && now.isBefore(until);
        }

        /** For a person: "until 2026-12-07T14:05:00Z (db migration)". */
        public String describe() {
            return "until " + until + (comment.isEmpty() ? "" : " (" + comment + ")");
        }

        public Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("rule", rule);
            map.put("since", since.toString());
            map.put("until", until.toString());
            map.put("comment", comment);
            return map;
        }
    }

    private final StateStore state;
    private final EventLog events;
    private final TimeSource time;
    private final Map<String, Silence> silences = new TreeMap<>();
    private volatile List<Silence> published = List.of();

    /**
     * Reads the silences the state store holds from before a restart; those whose time came meanwhile end at the
     * first tick.
     */
    public Silences(StateStore state, Journal journal, TimeSource time) {
        this.state = requireNonNull(state, "state");
        this.events = new EventLog(journal);
        this.time = requireNonNull(time, "time");
        load();
    }

    private void load() {
        Object saved = state.saved(StateSection.SILENCES).orElse(Map.of());
        try {
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) saved).entrySet()) {
                Map<?, ?> silence = (Map<?, ?>) entry.getValue();
                Object comment = silence.get("comment");
                Silence read = new Silence(String.valueOf(entry.getKey()),
                        Instant.parse(String.valueOf(silence.get("since"))),
                        Instant.parse(String.valueOf(silence.get("until"))),
                        comment == null ? "" : String.valueOf(comment));
                silences.put(read.rule(), read);
            }
        } catch (RuntimeException e) {
            // A silence that cannot be read is one a person may still count on: the state is not to be trusted.
            silences.clear();
            state.damaged("silences: " + Failures.describe(e));
        }
        published = List.copyOf(silences.values());
        if (!silences.isEmpty()) {
            log.info("rollbacks silenced from before the restart: {}", describe(silences.values()));
        }
    }

    /**
     * Silences {@code rule} ({@link #ALL} for every rule) for {@code duration} from now, replacing a silence it had.
     *
     * @throws IllegalArgumentException for a duration outside {@link #MIN} to {@link #MAX}
     */
    public synchronized Silence silence(String rule, Duration duration, String comment) {
        requireNonNull(rule, "rule");
        check(duration);
        Instant now = time.now();
        Silence silence = new Silence(rule, now, now.plus(duration), comment == null ? "" : comment.strip());
        silences.put(rule, silence);
        save();
        events.append(new SilenceStarted(List.of(rule), silence.until().toString(), silence.comment()));
        log.warn("rollbacks of {} silenced {}: they wait until then", name(rule), silence.describe());
        return silence;
    }

    /** Checks a silence's duration; what is wrong with it is the exception's message. */
    public static void check(Duration duration) {
        if (duration.compareTo(MIN) < 0 || duration.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("a silence lasts from " + MIN.toSeconds() + "s to " + MAX.toDays()
                    + "d; to stop a rule for longer, remove it from the configuration");
        }
    }

    /** Lifts the silence of {@code rule} ({@link #ALL}: of every rule), or every silence when null; those lifted. */
    public synchronized List<Silence> lift(String rule) {
        List<Silence> lifted = new ArrayList<>();
        for (Iterator<Silence> it = silences.values().iterator(); it.hasNext();) {
            Silence silence = it.next();
            if (rule == null || silence.rule().equals(rule)) {
                it.remove();
                lifted.add(silence);
            }
        }
        ended(lifted, "lifted");
        return lifted;
    }

    /** Ends the silences whose time has come: called at each tick, on the scheduler thread. */
    public synchronized void expire() {
        Instant now = time.now();
        List<Silence> expired = new ArrayList<>();
        for (Iterator<Silence> it = silences.values().iterator(); it.hasNext();) {
            Silence silence = it.next();
            if (!now.isBefore(silence.until())) {
                it.remove();
                expired.add(silence);
            }
        }
        ended(expired, "expired");
    }

    private void ended(List<Silence> ended, String how) {
        if (ended.isEmpty()) {
            return;
        }
        save();
        for (Silence silence : ended) {
            events.append(new SilenceEnded(List.of(silence.rule()), how, silence.until().toString()));
        }
        log.info("silence {}: rollbacks of {} run again", how, describe(ended));
    }

    /** The silence that holds {@code rule}'s rollbacks now, the one that ends last; empty when none does. */
    public Optional<Silence> silencing(String rule) {
        Instant now = time.now();
        Silence longest = null;
        for (Silence silence : published) {
            if (silence.covers(rule, now) && (longest == null || silence.until().isAfter(longest.until()))) {
                longest = silence;
            }
        }
        return Optional.ofNullable(longest);
    }

    /** The silences in force, from what was published at their last change, without the lock. */
    public List<Silence> silences() {
        Instant now = time.now();
        return published.stream().filter(s -> now.isBefore(s.until())).toList();
    }

    private void save() {
        published = List.copyOf(silences.values());
        state.write(StateSection.SILENCES, () -> {
            Map<String, Object> saved = new LinkedHashMap<>();
            for (Silence silence : published) {
                Map<String, Object> entry = new LinkedHashMap<>(silence.toMap());
                entry.remove("rule");
                saved.put(silence.rule(), entry);
            }
            return saved;
        });
    }

    private static String name(String rule) {
        return rule.equals(ALL) ? "every rule" : rule;
    }

    private static String describe(Iterable<Silence> silences) {
        List<String> parts = new ArrayList<>();
        silences.forEach(s -> parts.add(name(s.rule()) + " " + s.describe()));
        return String.join(", ", parts);
    }
}
