package io.rollguard.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tomlj.Toml;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;

/** Turns TOML text into a validated {@link Config}, or a {@link ConfigException} listing every problem. */
public final class ConfigLoader {
    public static final Path SYSTEM_CONFIG = Path.of("/etc/rollguard/rollguard.toml");
    static final String DEFAULT_RESOURCE = "/io/rollguard/default.toml";
    static final String DEFAULT_NAME = "default.toml (embedded)";

    private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
    private static final Duration MAX_INTERVAL = Duration.ofHours(1);
    private static final Duration MAX_SAMPLER_PERIOD = Duration.ofDays(1);

    private ConfigLoader() {}

    public static Config load(Path file) throws ConfigException {
        return parse(read(file));
    }

    /** The configuration compiled into the jar: host samplers and HTTP on the default port. */
    public static Config loadDefault() throws ConfigException {
        return parse(defaultSource());
    }

    public static ConfigSource defaultSource() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(DEFAULT_RESOURCE + " is missing from the jar");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new ConfigSource(DEFAULT_NAME, text, Path.of("").toAbsolutePath());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + DEFAULT_RESOURCE + " from the jar", e);
        }
    }

    static ConfigSource read(Path file) throws ConfigException {
        String name = file.toString();
        try {
            byte[] bytes = Files.readAllBytes(file);
            String text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            Path parent = file.toAbsolutePath().getParent();
            return new ConfigSource(name, text, parent == null ? Path.of("/") : parent);
        } catch (NoSuchFileException e) {
            throw fileProblem(name, "no such file");
        } catch (AccessDeniedException e) {
            throw fileProblem(name, "permission denied");
        } catch (CharacterCodingException e) {
            throw fileProblem(name, "not valid UTF-8 text");
        } catch (IOException e) {
            String reason = Files.isDirectory(file) ? "is a directory, expected a file" : String.valueOf(e.getMessage());
            throw fileProblem(name, reason);
        }
    }

    public static Config parse(ConfigSource source) throws ConfigException {
        Problems problems = new Problems(source.name());
        TomlParseResult toml = Toml.parse(source.text());
        for (TomlParseError error : toml.errors()) {
            problems.add(error.position(), "TOML syntax: " + error.getMessage());
        }
        // A file that does not parse has no reliable tree to validate: report its syntax first.
        problems.throwIfAny();

        TableReader root = TableReader.root(toml, problems);
        AgentSettings agent = readAgent(root.table("agent"), source.baseDirectory());
        HttpSettings http = readHttp(root.table("http"));
        SampleTables sample = readSamplers(root.table("sample"), agent.interval());
        List<CheckConfig> checks = new CheckConfigReader(source.baseDirectory()).read(root.tables("check"));
        root.rejectUnknownKeys();
        problems.throwIfAny();
        return new Config(source.name(), agent, http, sample.samplers(), sample.filesystemFilter(), checks);
    }

    /** The {@code [sample]} table: every sampler's settings and what only the filesystem sampler takes. */
    private record SampleTables(Map<String, SamplerSettings> samplers, FilesystemFilter filesystemFilter) {}

    private static SampleTables readSamplers(TableReader sample, Duration tick) {
        Map<String, SamplerSettings> samplers = new LinkedHashMap<>();
        FilesystemFilter filesystemFilter = FilesystemFilter.DEFAULT;
        for (String name : SamplerSettings.NAMES) {
            TableReader table = sample.table(name);
            Duration period = table.duration("period", null, MIN_INTERVAL, MAX_SAMPLER_PERIOD);
            if (period != null && period.compareTo(tick) < 0) {
                table.report("period", "must not be shorter than the tick ([agent] interval = \""
                        + Quantities.formatDuration(tick) + "\"), got \"" + Quantities.formatDuration(period) + "\"");
                period = null;
            }
            samplers.put(name, new SamplerSettings(table.bool("enabled", true), period));
            // Read before rejecting unknown keys, and on this table only: in [sample.cpu] they stay unknown.
            if (name.equals("filesystem")) {
                filesystemFilter = readFilesystemFilter(table);
            }
            table.rejectUnknownKeys();
        }
        sample.rejectUnknownKeys();
        return new SampleTables(samplers, filesystemFilter);
    }

    private static FilesystemFilter readFilesystemFilter(TableReader table) {
        FilesystemFilter defaults = FilesystemFilter.DEFAULT;
        return new FilesystemFilter(
                table.regexes("include_mounts", defaults.includeMounts()),
                table.regexes("exclude_mounts", defaults.excludeMounts()),
                names(table, "include_fstypes", defaults.includeFstypes()),
                names(table, "exclude_fstypes", defaults.excludeFstypes()));
    }

    /** A list of plain names such as filesystem types; a blank one would match nothing and hide a typo. */
    private static List<String> names(TableReader table, String key, List<String> fallback) {
        List<String> names = table.strings(key, fallback);
        for (String name : names) {
            if (name.isBlank()) {
                table.report(key, "names must not be empty");
                return fallback;
            }
        }
        return names;
    }

    private static AgentSettings readAgent(TableReader table, Path base) {
        AgentSettings settings = new AgentSettings(
                table.duration("interval", AgentSettings.DEFAULT_INTERVAL, MIN_INTERVAL, MAX_INTERVAL),
                table.path("state_dir", AgentSettings.DEFAULT_STATE_DIR, base),
                table.choice("log_level", LogLevel.class, LogLevel.INFO));
        table.rejectUnknownKeys();
        return settings;
    }

    private static HttpSettings readHttp(TableReader table) {
        HttpSettings settings = new HttpSettings(table.hostPort("listen", HttpSettings.DEFAULT_LISTEN));
        table.rejectUnknownKeys();
        return settings;
    }

    private static ConfigException fileProblem(String name, String reason) {
        return new ConfigException(List.of(new ConfigProblem(name, 0, 0, "cannot read configuration: " + reason)));
    }
}
