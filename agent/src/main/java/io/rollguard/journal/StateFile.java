package io.rollguard.journal;

import static java.util.Objects.requireNonNull;

import io.rollguard.common.Failures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The small persisted state, {@code state_dir/state.json}: latches, the current deployment, baselines. A write
 * replaces the file atomically (a temporary file in the same directory, fsync, rename over, fsync of the directory),
 * so a crash at any moment leaves either the old state or the new one, whole.
 */
public final class StateFile {
    static final String FILE_NAME = "state.json";
    static final String TEMP_NAME = "state.json.tmp";

    private final Path dir;
    private final Path file;
    private final Path temp;

    public StateFile(Path stateDir) {
        this.dir = requireNonNull(stateDir, "stateDir");
        this.file = stateDir.resolve(FILE_NAME);
        this.temp = stateDir.resolve(TEMP_NAME);
    }

    public Path path() {
        return file;
    }

    /**
     * The state last written, as an unmodifiable JSON object (integers as Long, decimals as Double); empty when the
     * file does not exist yet.
     *
     * @throws IOException if the file cannot be read or is not a JSON object; the message names the file and says
     *     what is wrong, fit to show a person as it is
     */
    public synchronized Map<String, Object> read() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Map.of();
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
     * Replaces the state with {@code state}; when this returns, the new state is on disk. If it throws, the previous
     * file is still in place, unchanged.
     *
     * @throws IllegalArgumentException if a value is not JSON (String, Number, Boolean, null, List, Map)
     */
    public synchronized void write(Map<String, Object> state) throws IOException {
        byte[] bytes = JsonText.writePretty(JsonValues.copyObject(requireNonNull(state, "state"), "state"));
        try {
            replace(bytes);
        } catch (IOException e) {
            throw new IOException("cannot write " + file + ": " + Failures.describe(e), e);
        }
    }

    private void replace(byte[] bytes) throws IOException {
        StateDirectory.replace(dir, file, temp, bytes);
    }
}
