package io.rollguard.journal;

import static java.util.Objects.requireNonNull;

import io.rollguard.common.Failures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The incident records, {@code state_dir/incidents/ID.json} and {@code ID.md}: each written once, atomically (as
 * {@link StateFile} is), the newest {@link #KEEP} kept. An id is the rollback's start time and the id of the event
 * that fired it, {@code 20261122T030405Z-57}, so the files sort by time. Read by the agent's API and, with the agent
 * down, by {@code rollguard incident}.
 */
public final class IncidentFiles {
    public static final String DIRECTORY = "incidents";
    public static final int KEEP = 100;
    private static final Pattern ID = Pattern.compile("(\\d{8}T\\d{6}Z)-(\\d{1,19})");
    /** The fields a listing shows of each incident. */
    private static final List<String> SUMMARY = List.of("id", "rule", "labels", "deployment_id",
            "deployment_version", "started_at", "outcome");

    private final Path dir;
    private final int keep;

    public IncidentFiles(Path stateDir) {
        this(stateDir, KEEP);
    }

    IncidentFiles(Path stateDir, int keep) {
        this.dir = requireNonNull(stateDir, "stateDir").resolve(DIRECTORY);
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be at least 1: " + keep);
        }
        this.keep = keep;
    }

    public Path directory() {
        return dir;
    }

    /** Whether {@code id} is the shape of an incident id: nothing else ever reaches the file system. */
    public static boolean isId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /**
     * Writes the incident {@code id} as Markdown, then as JSON, each atomically; then removes the oldest beyond
     * {@link #KEEP}. The JSON file is what lists an incident, so a listed incident has both files.
     *
     * @throws IllegalArgumentException for an id of another shape or a value that is not JSON
     */
    public synchronized void write(String id, Map<String, Object> incident, String markdown) throws IOException {
        if (!isId(id)) {
            throw new IllegalArgumentException("not an incident id: " + id);
        }
        byte[] json = JsonText.writePretty(JsonValues.copyObject(requireNonNull(incident, "incident"), "incident"));
        try {
            StateDirectory.replace(dir, dir.resolve(id + ".md"), dir.resolve(id + ".md.tmp"),
                    markdown.getBytes(StandardCharsets.UTF_8));
            StateDirectory.replace(dir, dir.resolve(id + ".json"), dir.resolve(id + ".json.tmp"), json);
        } catch (IOException e) {
            throw new IOException("cannot write incident " + id + " in " + dir + ": " + Failures.describe(e), e);
        }
        prune();
    }

    /** The ids on disk, newest first. */
    public List<String> ids() throws IOException {
        List<String> ids = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                String id = name.substring(0, name.length() - ".json".length());
                if (isId(id)) {
                    ids.add(id);
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        }
        ids.sort(NEWEST_FIRST);
        return ids;
    }

    /** Each incident's id, rule, labels, deployment, start and outcome, newest first; unreadable files left out. */
    public List<Map<String, Object>> list() throws IOException {
        List<Map<String, Object>> summaries = new ArrayList<>();
        for (String id : ids()) {
            Optional<Map<String, Object>> incident;
            try {
                incident = read(id);
            } catch (IOException e) {
                continue; // removed meanwhile, or damaged by hand: the listing shows the others
            }
            incident.ifPresent(fields -> {
                Map<String, Object> summary = new LinkedHashMap<>();
                SUMMARY.forEach(key -> summary.put(key, fields.get(key)));
                summaries.add(summary);
            });
        }
        return summaries;
    }

    /** The incident's JSON object; empty when there is no such incident. */
    public Optional<Map<String, Object>> read(String id) throws IOException {
        Optional<String> text = readText(id, ".json");
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(JsonText.readObject(text.get().getBytes(StandardCharsets.UTF_8), false));
        } catch (MalformedJsonException e) {
            throw new IOException(dir.resolve(id + ".json") + ": not a valid incident: " + e.getMessage(), e);
        }
    }

    /** The incident as Markdown for people; empty when there is no such incident. */
    public Optional<String> readMarkdown(String id) throws IOException {
        return readText(id, ".md");
    }

    private Optional<String> readText(String id, String suffix) throws IOException {
        if (!isId(id)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readString(dir.resolve(id + suffix), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private void prune() throws IOException {
        List<String> ids = ids();
        for (String old : ids.subList(Math.min(keep, ids.size()), ids.size())) {
            // The Markdown first: a JSON file without its Markdown is still listed, and removed at the next prune.
            Files.deleteIfExists(dir.resolve(old + ".md"));
            Files.deleteIfExists(dir.resolve(old + ".json"));
        }
    }

    private static final Comparator<String> NEWEST_FIRST = Comparator.<String, String>comparing(id -> part(id, 1))
            .thenComparing(id -> Long.parseLong(part(id, 2))).reversed();

    private static String part(String id, int group) {
        Matcher matcher = ID.matcher(id);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not an incident id: " + id);
        }
        return matcher.group(group);
    }
}
