package io.rollguard.journal;

import static java.util.Objects.requireNonNull;

import io.rollguard.common.Failures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of {@code state.json}: each component keeps its part in a named {@link StateSection} and writes it
 * here, and every write puts the whole file (every section, and keys another version left) back on disk, so no writer
 * clobbers another. Read once, when the agent starts.
 *
 * <p>A file that cannot be read, or whose sections have the wrong shape, is <em>damaged</em>: its sections read as
 * absent and writes are kept in memory only, since overwriting it would drop the latches it may hold, until a person
 * decides ({@link #forgetDamage()}, from {@code rollguard rearm}).
 *
 * <p>What is wrong ({@link #damage()}, {@link #writeFailure()}) is read without the lock, so that a reader never waits
 * for a write in progress (an fsync on a slow disk).
 *
 * <p>Suppliers given to {@link #write(StateSection, Supplier)} run under this object's lock, so that concurrent writers
 * cannot put an older value last: they may take their own component's lock, never call back into a component that
 * writes here while holding its lock.
 */
public final class StateStore {
    private static final Logger log = LoggerFactory.getLogger(StateStore.class);

    private final StateFile file;
    private final Map<StateSection, Object> sections = new EnumMap<>(StateSection.class);
    /** Keys of another version (or edited in by hand): written back as they were. */
    private final Map<String, Object> others = new TreeMap<>();
    // Volatile: read by the HTTP handlers without waiting for a write in progress, which holds the lock.
    private volatile String damage;
    private long highestEventId;
    private volatile long writeFailures;
    private volatile String writeFailure;
    private volatile String inReserve;
    private volatile String unreserved;

    public StateStore(StateFile file) {
        this.file = requireNonNull(file, "file");
        load();
        try {
            file.reserve();
        } catch (IOException e) {
            unreserved = e.getMessage();
            log.error("{}: on a full disk a latch would hold in memory only", unreserved);
        }
    }

    public Path path() {
        return file.path();
    }

    private void load() {
        try {
            Map<String, Object> state = file.read();
            Object latches = state.getOrDefault(StateSection.LATCHES.key(), Map.of());
            Object starts = state.getOrDefault(StateSection.ROLLBACK_STARTS.key(), List.of());
            if (!(latches instanceof Map) || !(starts instanceof List)) {
                // Valid JSON of another shape (another version's, or edited by hand) hides latches as well as garbage.
                throw new IOException(file.path() + ": expected \"latches\" to be an object and "
                        + "\"rollback_starts\" a list");
            }
            highestEventId = highestEventId(state);
            state.forEach((key, value) -> {
                Optional<StateSection> section = StateSection.named(key);
                if (section.isPresent()) {
                    sections.put(section.get(), value);
                } else {
                    others.put(key, value);
                }
            });
        } catch (IOException e) { // a damaged state must never re-arm a rollback by accident
            damaged(Failures.describe(e));
        }
    }

    /**
     * The highest event id the file mentioned when the agent started (a latch's {@code event_id}, a deployment's
     * {@code trigger_event_id}, any key ending in {@code event_id}); 0 when none, or when the file cannot be read. The
     * journal continues above it, so an id the state refers to is never given to a new event.
     */
    public synchronized long highestEventId() {
        return highestEventId;
    }

    private static long highestEventId(Object value) {
        long highest = 0;
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (String.valueOf(entry.getKey()).endsWith("event_id") && entry.getValue() instanceof Number id) {
                    highest = Math.max(highest, id.longValue());
                } else {
                    highest = Math.max(highest, highestEventId(entry.getValue()));
                }
            }
        } else if (value instanceof List<?> list) {
            for (Object element : list) {
                highest = Math.max(highest, highestEventId(element));
            }
        }
        return highest;
    }

    /** Why the file cannot be trusted (unreadable, or a section of the wrong shape); empty when it can. */
    public Optional<String> damage() {
        return Optional.ofNullable(damage);
    }

    /**
     * Marks the file damaged: a component found its section unusable (a latch without its time, say) and what else
     * the file holds cannot be trusted either. Its sections read as absent from now on.
     */
    public synchronized void damaged(String why) {
        damage = requireNonNull(why, "why");
        sections.clear();
        others.clear();
    }

    /** A person decided the damaged file may be replaced: the next write puts the sections in memory on disk. */
    public synchronized void forgetDamage() {
        damage = null;
    }

    /** What {@code section} held when the agent started, or as last written; empty when absent or damaged. */
    public synchronized Optional<Object> saved(StateSection section) {
        return Optional.ofNullable(sections.get(section));
    }

    /** Replaces {@code section} with what {@code value} gives (plain JSON) and writes the file. */
    public synchronized void write(StateSection section, Supplier<?> value) {
        sections.put(section, requireNonNull(value.get(), "value"));
        if (damage != null) {
            log.warn("state {} kept in memory only: the state file cannot be read and is left as it is",
                    section.key());
            return;
        }
        writeFile();
    }

    /**
     * Replaces several sections at once, in one write of the file: what must reach the disk together.
     *
     * @return whether they reached the disk, in state.json or in the space reserved for it; false when they are kept
     *     in memory only (the file is damaged, or neither could be written)
     */
    public synchronized boolean write(Map<StateSection, ?> values) {
        values.forEach((section, value) -> sections.put(section, requireNonNull(value, "value")));
        return damage == null && writeFile();
    }

    /** Writes of state.json that failed since the agent started. */
    public long writeFailures() {
        return writeFailures;
    }

    /** Why the last write of state.json failed; empty once a later write succeeds. */
    public Optional<String> writeFailure() {
        return Optional.ofNullable(writeFailure);
    }

    /**
     * Why the last write went to the space reserved for the state instead of state.json (a full disk); empty once
     * state.json is written again. The state is on the disk all the same.
     */
    public Optional<String> inReserve() {
        return Optional.ofNullable(inReserve);
    }

    /** Why no space could be reserved for the state when the agent started; empty when it was. */
    public Optional<String> unreserved() {
        return Optional.ofNullable(unreserved);
    }

    /** Writes the sections; whether they reached the disk. */
    private boolean writeFile() {
        try {
            Optional<String> reserved = file.write(render());
            if (reserved.isPresent()) {
                writeFailures++;
                if (inReserve == null) {
                    log.error("{}; the state is kept in the space reserved for it, {}, so latches survive a restart",
                            reserved.get(), file.reservePath());
                }
                inReserve = reserved.get();
            } else if (writeFailure != null || inReserve != null) {
                log.info("the state file {} is written again", file.path());
                inReserve = null;
            }
            writeFailure = null;
            return true;
        } catch (IOException e) {
            writeFailures++;
            if (writeFailure == null) {
                log.error("{}; the latch holds in memory only", e.getMessage());
            }
            writeFailure = e.getMessage();
            return false;
        }
    }

    /** The file as the previous versions wrote it: latches and rollback starts first, then the rest by name. */
    private Map<String, Object> render() {
        Map<String, Object> state = new LinkedHashMap<>();
        Map<String, Object> rest = new TreeMap<>(others);
        for (StateSection section : StateSection.values()) {
            Object value = sections.containsKey(section) ? sections.get(section) : section.empty();
            if (value == null) {
                continue;
            }
            if (section.first()) {
                state.put(section.key(), value);
            } else {
                rest.put(section.key(), value);
            }
        }
        state.putAll(rest);
        return state;
    }
}
