package io.rollguard.journal;

import static java.util.Objects.requireNonNull;

import io.rollguard.common.BoundedFiles;
import io.rollguard.common.Failures;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The small persisted state, {@code state_dir/state.json}: latches, the current deployment, baselines. A write
 * replaces the file atomically (a temporary file in the same directory, fsync, rename over, fsync of the directory),
 * so a crash at any moment leaves either the old state or the new one, whole.
 *
 * <p>When the file cannot be replaced (a full disk), the write goes to the space reserved for it when the agent
 * started ({@link StateReserve}), in place. Each write has a generation; once the reserve has been used, state.json
 * carries its generation too ({@code "generation"}), and a read takes whichever of the two is newer.
 */
public final class StateFile {
    private static final Logger log = LoggerFactory.getLogger(StateFile.class);
    static final String FILE_NAME = "state.json";
    static final String TEMP_NAME = "state.json.tmp";
    static final String GENERATION = "state_generation";

    private final Path dir;
    private final Path file;
    private final Path temp;
    private final StateReserve reserve;
    private long generation; // guarded by this
    private boolean reserveUsed; // guarded by this: state.json then carries its generation

    public StateFile(Path stateDir) {
        this.dir = requireNonNull(stateDir, "stateDir");
        this.file = stateDir.resolve(FILE_NAME);
        this.temp = stateDir.resolve(TEMP_NAME);
        this.reserve = new StateReserve(stateDir);
    }

    public Path path() {
        return file;
    }

    /** The reserved space's file, {@code state.reserve}. */
    public Path reservePath() {
        return reserve.path();
    }

    /**
     * The state last written, as an unmodifiable JSON object (integers as Long, decimals as Double); empty when the
     * file does not exist yet. The reserved space's copy when it is newer (written while the disk was full).
     *
     * @throws IOException if the file cannot be read or is not a JSON object; the message names the file and says
     *     what is wrong, fit to show a person as it is
     */
    public synchronized Map<String, Object> read() throws IOException {
        Map<String, Object> state = readFile();
        long fileGeneration = state.get(GENERATION) instanceof Number n ? n.longValue() : 0;
        Optional<StateReserve.Slot> reserved;
        try {
            reserved = reserve.newest();
        } catch (IOException e) {
            // Only a fallback: state.json still holds what was written before, unless the disk was full since.
            log.warn("cannot read the state's reserved space {}: {}; using {} as it is", reserve.path(),
                    Failures.describe(e), file);
            reserved = Optional.empty();
        }
        generation = Math.max(generation, fileGeneration);
        if (reserved.isPresent()) {
            reserveUsed = true;
            generation = Math.max(generation, reserved.get().generation());
            if (reserved.get().generation() > fileGeneration) {
                try {
                    state = JsonText.readObject(reserved.get().bytes(), false);
                } catch (MalformedJsonException e) {
                    throw new IOException(reserve.path() + ": not a valid state: " + e.getMessage(), e);
                }
            }
        }
        if (!state.containsKey(GENERATION)) {
            return state;
        }
        Map<String, Object> without = new LinkedHashMap<>(state);
        without.remove(GENERATION);
        return java.util.Collections.unmodifiableMap(without);
    }

    private Map<String, Object> readFile() throws IOException {
        byte[] bytes;
        try {
            bytes = BoundedFiles.read(file, BoundedFiles.STATE_BYTES, "a state file");
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (BoundedFiles.TooLargeException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IOException("cannot read " + file + ": " + Failures.describe(e), e);
        }
        try {
            return JsonText.readObject(bytes, false);
        } catch (MalformedJsonException e) {
            // An empty or damaged file is not treated as "no state": that would silently re-arm persisted latches.
            throw new IOException(file + ": not a valid state file: " + e.getMessage(), e);
        }
    }

    /**
     * Reserves the space a write falls back to: call once the state is read, since a reserve of another size is
     * made anew.
     *
     * @throws IOException if it cannot be (the disk is full already): writes then have no fallback
     */
    public synchronized void reserve() throws IOException {
        try {
            reserve.reserve();
        } catch (IOException e) {
            throw new IOException("cannot reserve " + (2 * StateReserve.SLOT_BYTES / 1024) + " KiB for the state in "
                    + reserve.path() + ": " + Failures.describe(e), e);
        }
    }

    /**
     * Replaces the state with {@code state}; when this returns, the new state is on disk, in state.json or in the
     * reserved space. If it throws, the previous state is still in place, unchanged.
     *
     * @return empty when state.json was replaced; why it could not be when the state went to the reserved space
     * @throws IOException if neither state.json nor the reserved space could be written; the message says why
     * @throws IllegalArgumentException if a value is not JSON (String, Number, Boolean, null, List, Map)
     */
    public synchronized Optional<String> write(Map<String, Object> state) throws IOException {
        Map<String, Object> copy = JsonValues.copyObject(requireNonNull(state, "state"), "state");
        long next = generation + 1;
        byte[] plain = JsonText.writePretty(copy);
        if (plain.length > BoundedFiles.STATE_BYTES) {
            // Never write what a restart would refuse to read.
            throw new IOException("cannot write " + file + ": the state is " + plain.length + " bytes, more than the "
                    + io.rollguard.common.Human.bytes(BoundedFiles.STATE_BYTES) + " a state file may be");
        }
        try {
            byte[] bytes = plain;
            if (reserveUsed) {
                Map<String, Object> numbered = new LinkedHashMap<>(copy);
                numbered.put(GENERATION, next);
                bytes = JsonText.writePretty(numbered);
            }
            StateDirectory.replace(dir, file, temp, bytes);
            generation = next;
            return Optional.empty();
        } catch (IOException e) {
            String failure = "cannot write " + file + ": " + Failures.describe(e);
            try {
                reserve.write(next, plain);
            } catch (IOException reserved) {
                throw new IOException(failure + "; nor the reserved space: " + Failures.describe(reserved), e);
            }
            generation = next;
            reserveUsed = true;
            return Optional.of(failure);
        }
    }
}
