package io.rollguard.config;

import io.rollguard.config.action.ActionConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.tomlj.Toml;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;

/** Turns TOML text into a validated {@link Config}, or a {@link ConfigException} listing every problem. */
public final class ConfigLoader {
    public static final Path SYSTEM_CONFIG = Path.of("/etc/rollguard/rollguard.toml");
    static final String DEFAULT_RESOURCE = "/io/rollguard/default.toml";
    /** How the embedded default names itself in messages and in {@link Config#source()}. */
    public static final String DEFAULT_NAME = "default.toml (embedded)";

    private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
    private static final Duration MAX_INTERVAL = Duration.ofHours(1);
    private static final Duration MAX_SAMPLER_PERIOD = Duration.ofDays(1);

    // A process name becomes a label value and a word in rule expressions: keep it plain.
    private static final Pattern PROCESS_NAME = Pattern.compile("[a-z0-9_-]+");
    private static final List<String> PROCESS_SELECTORS = List.of("match", "pidfile", "unit");
    // systemd's alphabet for unit names; no leading dot, so that "." and ".." cannot leave the cgroup tree.
    private static final Pattern UNIT_NAME = Pattern.compile("[A-Za-z0-9:_@\\\\-][A-Za-z0-9:_.@\\\\-]{0,254}");
    private static final Pattern UNIT_SUFFIX = Pattern.compile(
            ".*\\.(service|socket|device|mount|automount|swap|target|path|timer|slice|scope)");

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
        Problems problems = new Problems(source.name(), source.text());
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
        List<ProcessSettings> processes = readProcesses(root.tables("process"), source.baseDirectory());
        List<CheckConfig> checks = new CheckConfigReader(source.baseDirectory(), processes)
                .read(root.tables("check"));
        Map<String, ActionConfig> actions = new ActionConfigReader(source.baseDirectory(),
                checks.stream().map(CheckConfig::name).toList()).read(root.table("action"));
        List<RuleConfig> rules = new RuleConfigReader(actions.keySet()).read(root.tables("rule"));
        DeploySettings deploy = readDeploy(root.table("deploy"));
        List<SourceConfig> sources = new SourceConfigReader(source.baseDirectory(), agent.interval())
                .read(root.tables("source"));
        root.rejectUnknownKeys();
        problems.throwIfAny();
        return new Config(source.name(), agent, http, sample.samplers(), sample.filesystemFilter(), processes, checks,
                actions, rules, deploy, sources);
    }

    private static List<ProcessSettings> readProcesses(List<TableReader> tables, Path base) {
        List<ProcessSettings> processes = new ArrayList<>();
        Map<String, TableReader> byName = new HashMap<>();
        for (TableReader table : tables) {
            String name = table.requiredString("name");
            boolean named = !name.isBlank();
            if (named && !PROCESS_NAME.matcher(name).matches()) {
                table.report("name", "expected lower-case letters, digits, \"_\" and \"-\" such as \"backend\", got \""
                        + name + "\"");
                named = false;
            }
            TableReader first = named ? byName.putIfAbsent(name, table) : null;
            if (first != null) {
                table.report("name", "\"" + name + "\" is already the name of " + first.path());
                named = false;
            }
            ProcessSelector selector = readProcessSelector(table, base);
            table.rejectUnknownKeys();
            if (named && selector != null) {
                processes.add(new ProcessSettings(name, selector));
            }
        }
        return processes;
    }

    /** Exactly one selector; null (and a problem recorded) for none, several or an invalid one. */
    private static ProcessSelector readProcessSelector(TableReader table, Path base) {
        List<String> given = PROCESS_SELECTORS.stream().filter(table::has).toList();
        // All three are read, given or not: each reports its own type errors, and a misspelt key gets "did you mean".
        Map<String, ProcessSelector> selectors = new HashMap<>();
        selectors.put("match", readMatch(table));
        selectors.put("pidfile", readPidFile(table, base));
        selectors.put("unit", readUnit(table));
        if (given.isEmpty()) {
            table.report("expected exactly one of match, pidfile or unit to select its processes");
            return null;
        }
        for (String extra : given.subList(1, given.size())) {
            table.report(extra, "conflicts with " + given.get(0) + ": give exactly one of match, pidfile or unit");
        }
        return given.size() == 1 ? selectors.get(given.get(0)) : null;
    }

    private static ProcessSelector readMatch(TableReader table) {
        Pattern pattern = table.regex("match");
        return pattern == null ? null : new ProcessSelector.CommandLinePattern(pattern);
    }

    private static ProcessSelector readPidFile(TableReader table, Path base) {
        Path path = table.path("pidfile", null, base);
        return path == null ? null : new ProcessSelector.PidFile(path);
    }

    private static ProcessSelector readUnit(TableReader table) {
        String unit = table.string("unit", null);
        if (unit == null) {
            return null;
        }
        if (!UNIT_NAME.matcher(unit).matches()) {
            table.report("unit", "expected a systemd unit name such as \"backend.service\", got \"" + unit + "\"");
            return null;
        }
        // As systemctl does, a name without a type means the service.
        return new ProcessSelector.SystemdUnit(UNIT_SUFFIX.matcher(unit).matches() ? unit : unit + ".service");
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
                table.choice("log_level", LogLevel.class, LogLevel.INFO),
                table.bool("dry_run", false));
        table.rejectUnknownKeys();
        return settings;
    }

    private static HttpSettings readHttp(TableReader table) {
        HttpSettings settings = new HttpSettings(table.hostPort("listen", HttpSettings.DEFAULT_LISTEN));
        table.rejectUnknownKeys();
        return settings;
    }

    private static DeploySettings readDeploy(TableReader table) {
        DeploySettings settings = new DeploySettings(table.duration("watch", DeploySettings.DEFAULT_WATCH,
                DeploySettings.MIN_WATCH, DeploySettings.MAX_WATCH),
                table.duration("baseline_window", DeploySettings.DEFAULT_BASELINE_WINDOW,
                        DeploySettings.MIN_BASELINE_WINDOW, DeploySettings.MAX_BASELINE_WINDOW));
        table.rejectUnknownKeys();
        return settings;
    }

    private static ConfigException fileProblem(String name, String reason) {
        return new ConfigException(List.of(new ConfigProblem(name, 0, 0, "cannot read configuration: " + reason)));
    }
}
