package io.rollguard.config;

import io.rollguard.common.BoundedFiles;
import io.rollguard.common.Quantities;
import io.rollguard.common.Suggestions;
import io.rollguard.config.action.ActionConfig;
import io.rollguard.config.process.ProcessSelector;
import io.rollguard.config.process.ProcessSettings;
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
import java.util.Optional;
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
    private static final Duration MIN_IDLE_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration MAX_IDLE_TIMEOUT = Duration.ofHours(1);
    private static final Duration MAX_REQUEST_TIMEOUT = Duration.ofMinutes(10);
    private static final int MAX_CONNECTIONS = 65_536;

    // A process name becomes a label value and a word in rule expressions: keep it plain.
    private static final Pattern PROCESS_NAME = Pattern.compile("[a-z0-9_-]+");
    private static final List<String> PROCESS_SELECTORS = List.of("match", "pidfile", "unit");
    // systemd's alphabet for unit names; no leading dot, so that "." and ".." cannot leave the cgroup tree.
    private static final Pattern UNIT_NAME = Pattern.compile("[A-Za-z0-9:_@\\\\-][A-Za-z0-9:_.@\\\\-]{0,254}");
    private static final Pattern UNIT_SUFFIX = Pattern.compile(
            ".*\\.(service|socket|device|mount|automount|swap|target|path|timer|slice|scope)");

    private ConfigLoader() {}

    /**
     * Loads {@code file} as the agent does: the file, its token and TLS files, and their directories must be
     * trusted ({@link StrictModes}, for the user this JVM runs as), or {@code [agent] allow_insecure_permissions}
     * turns each refusal into one of {@link Config#warnings()}.
     */
    public static Config load(Path file) throws ConfigException {
        return load(file, StrictModes.forThisUser());
    }

    /**
     * Loads {@code file} for a command that only talks to the running agent ({@code deploy}, {@code rearm},
     * {@code events}): the agent judged the files' permissions when it loaded them, and the person running the
     * command may well be neither root nor the agent's user.
     */
    public static Config loadAsClient(Path file) throws ConfigException {
        return load(file, null);
    }

    /** @param strict how files are judged; null for not at all */
    static Config load(Path file, StrictModes strict) throws ConfigException {
        ConfigSource source = read(file);
        String distrust = null;
        if (strict != null) {
            try {
                distrust = strict.distrust(file, "load", "config file").orElse(null);
            } catch (IOException e) {
                distrust = "cannot inspect config file " + file + ": " + e.getMessage();
            }
        }
        return parse(source, strict, distrust);
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
            byte[] bytes = BoundedFiles.read(file, BoundedFiles.CONFIG_BYTES, "a configuration file");
            String text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            Path parent = file.toAbsolutePath().getParent();
            return new ConfigSource(name, text, parent == null ? Path.of("/") : parent);
        } catch (NoSuchFileException e) {
            throw fileProblem(name, "no such file");
        } catch (AccessDeniedException e) {
            throw fileProblem(name, "permission denied");
        } catch (CharacterCodingException e) {
            throw fileProblem(name, "not valid UTF-8 text");
        } catch (BoundedFiles.TooLargeException e) {
            throw fileProblem(name, e.getMessage());
        } catch (IOException e) {
            String reason = Files.isDirectory(file) ? "is a directory, expected a file" : String.valueOf(e.getMessage());
            throw fileProblem(name, reason);
        }
    }

    /**
     * The {@code [http]} table alone of a file that does not load whole, for a client that must still find the
     * agent to tell it so ({@code rollguard reload}): tomlj recovers from a syntax error at the line it is on, so
     * the table usually reads even then. Empty when the table itself has a problem, or the file cannot be read.
     */
    public static Optional<HttpSettings> httpOf(Path file) {
        try {
            ConfigSource source = read(file);
            TomlText text = TomlText.of(source.name(), source.text());
            Problems problems = new Problems(source.name(), source.text(), text::fileLine);
            TableReader root = TableReader.root(Toml.parse(text.text()), problems);
            HttpSettings http = readHttp(root.table("http"), source.baseDirectory(), new FileTrust(null, false));
            return problems.isEmpty() ? Optional.of(http) : Optional.empty();
        } catch (ConfigException e) {
            return Optional.empty();
        }
    }

    /** Parses {@code source}; the files it names are judged as {@link #load(Path)} does. */
    public static Config parse(ConfigSource source) throws ConfigException {
        return parse(source, StrictModes.forThisUser(), null);
    }

    /**
     * @param strict how the files the configuration names are judged; null for not at all
     * @param sourceDistrust why the configuration file itself must not be trusted; null when it may
     */
    static Config parse(ConfigSource source, StrictModes strict, String sourceDistrust) throws ConfigException {
        // Blank and comment lines left out (tomlj's cost grows with the square of a run of them), tokens bounded.
        TomlText text = TomlText.of(source.name(), source.text());
        Problems problems = new Problems(source.name(), source.text(), text::fileLine);
        TomlParseResult toml = Toml.parse(text.text());
        for (TomlParseError error : toml.errors()) {
            problems.add(error.position(), "TOML syntax: " + text.fileMessage(error.getMessage()));
        }
        // A file that does not parse has no reliable tree to validate: report its syntax first.
        problems.throwIfAny();

        TableReader root = TableReader.root(toml, problems);
        AgentSettings agent = readAgent(root.table("agent"), source.baseDirectory());
        FileTrust trust = new FileTrust(strict, agent.allowInsecurePermissions());
        if (sourceDistrust != null) {
            trust.refuse(sourceDistrust, message -> problems.add(null, message));
        }
        HttpSettings http = readHttp(root.table("http"), source.baseDirectory(), trust);
        SampleTables sample = readSamplers(root.table("sample"), agent.interval());
        List<TableReader> processTables = root.tables("process");
        List<ProcessSettings> processes = readProcesses(processTables, source.baseDirectory());
        List<TableReader> checkTables = root.tables("check");
        List<CheckConfig> checks = new CheckConfigReader(source.baseDirectory(), processes).read(checkTables);
        Map<String, ActionConfig> actions = new ActionConfigReader(source.baseDirectory(),
                checks.stream().map(CheckConfig::name).toList()).read(root.table("action"));
        // Taken in this order, the order in which "known tables" lists them.
        List<TableReader> ruleTables = root.tables("rule");
        TableReader alertmanagerTable = root.table("alertmanager");
        TableReader deployTable = root.table("deploy");
        // Sources before rules: a rule's when may read only what samplers, checks, processes and sources produce.
        List<TableReader> sourceTables = root.tables("source");
        List<SourceConfig> sources = new SourceConfigReader(source.baseDirectory(), agent.interval(),
                (file, problem) -> trust.check(file, "token file", problem)).read(sourceTables);
        // A table that did not load (its problem is reported) may be what produces a name: judge none then.
        boolean complete = processes.size() == processTables.size() && checks.size() == checkTables.size()
                && sources.size() == sourceTables.size();
        ProducedSeries produced = complete ? new ProducedSeries(sample.samplers(), processes, checks, sources)
                : ProducedSeries.ANY;
        List<RuleConfig> rules = new RuleConfigReader(actions.keySet(), produced).read(ruleTables);
        AlertmanagerSettings alertmanager = readAlertmanager(alertmanagerTable, root.tables("rule"), rules);
        DeploySettings deploy = readDeploy(deployTable, actions, source.baseDirectory());
        root.rejectUnknownKeys();
        problems.throwIfAny();
        return new Config(source.name(), agent, http, sample.samplers(), sample.filesystemFilter(), processes, checks,
                actions, rules, deploy, alertmanager, trust.warnings, sources);
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
                table.bool("dry_run", false),
                table.bool("allow_insecure_permissions", false));
        table.rejectUnknownKeys();
        return settings;
    }

    private static HttpSettings readHttp(TableReader table, Path base, FileTrust trust) {
        HostPort listen = table.hostPort("listen", HttpSettings.DEFAULT_LISTEN);
        Path tokenFile = table.path("token_file", null, base);
        Secret token = tokenFile == null ? null : readSecret(table, "token_file", tokenFile, trust);
        Path readTokenFile = table.path("read_token_file", null, base);
        Secret readToken = readTokenFile == null ? null : readSecret(table, "read_token_file", readTokenFile, trust);
        boolean healthPublic = table.bool("health_public", true);
        HttpSettings.TlsFiles tls = readTls(table, base, trust);
        int maxConnections = (int) table.integer("max_connections", HttpSettings.DEFAULT_MAX_CONNECTIONS, 1,
                MAX_CONNECTIONS);
        int maxConnectionsPerPeer = (int) table.integer("max_connections_per_peer",
                HttpSettings.DEFAULT_MAX_CONNECTIONS_PER_PEER, 1, MAX_CONNECTIONS);
        Duration idleTimeout = table.duration("idle_timeout", HttpSettings.DEFAULT_IDLE_TIMEOUT, MIN_IDLE_TIMEOUT,
                MAX_IDLE_TIMEOUT);
        Duration headTimeout = table.duration("head_timeout", HttpSettings.DEFAULT_HEAD_TIMEOUT, MIN_IDLE_TIMEOUT,
                MAX_REQUEST_TIMEOUT);
        Duration bodyTimeout = table.duration("body_timeout", HttpSettings.DEFAULT_BODY_TIMEOUT, MIN_IDLE_TIMEOUT,
                MAX_REQUEST_TIMEOUT);
        table.rejectUnknownKeys();
        return new HttpSettings(listen, token, tokenFile, readToken, healthPublic, tls, maxConnections,
                maxConnectionsPerPeer, idleTimeout, headTimeout, bodyTimeout);
    }

    /**
     * A token file's content without its final newline: one line of visible ASCII. Read at load time; the token
     * itself never appears in a message.
     */
    private static Secret readSecret(TableReader table, String key, Path file, FileTrust trust) {
        Optional<byte[]> bytes = readFile(table, key, file, "token file", BoundedFiles.TOKEN_BYTES, trust);
        if (bytes.isEmpty()) {
            return null;
        }
        String text = new String(bytes.get(), StandardCharsets.UTF_8);
        if (text.endsWith("\n")) {
            text = text.substring(0, text.length() - 1);
            if (text.endsWith("\r")) {
                text = text.substring(0, text.length() - 1);
            }
        }
        if (text.isEmpty()) {
            table.report(key, file + " is empty; write the token into it, such as: openssl rand -hex 32 > " + file);
            return null;
        }
        if (!text.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            table.report(key, file + " must hold one line of visible ASCII characters (no spaces), the token");
            return null;
        }
        return new Secret(text);
    }

    /** {@code tls_cert} and {@code tls_key}: both or neither, PEM files Netty can read. */
    private static HttpSettings.TlsFiles readTls(TableReader table, Path base, FileTrust trust) {
        Path certificate = table.path("tls_cert", null, base);
        Path key = table.path("tls_key", null, base);
        if (certificate == null && key == null) {
            return null;
        }
        if (certificate == null || key == null) {
            String given = certificate == null ? "tls_key" : "tls_cert";
            table.report(given, "needs " + (certificate == null ? "tls_cert" : "tls_key")
                    + " as well: give both the certificate and its key, or neither");
            return null;
        }
        boolean usable = true;
        Optional<byte[]> certificateText = readFile(table, "tls_cert", certificate, "TLS certificate", BoundedFiles.PEM_BYTES,
                trust);
        Optional<String> wrongCertificate = certificateText.flatMap(PemFiles::certificateProblem);
        if (wrongCertificate.isPresent()) {
            table.report("tls_cert", certificate + ": " + wrongCertificate.get());
        }
        Optional<byte[]> keyText = readFile(table, "tls_key", key, "TLS key", BoundedFiles.PEM_BYTES, trust);
        Optional<String> wrongKey = keyText.flatMap(text -> PemFiles.keyProblem(text, key.toString()));
        if (wrongKey.isPresent()) {
            table.report("tls_key", key + ": " + wrongKey.get());
        }
        if (certificateText.isEmpty() || keyText.isEmpty() || wrongCertificate.isPresent() || wrongKey.isPresent()) {
            return null;
        }
        return new HttpSettings.TlsFiles(certificate, key);
    }

    /** The bytes of a file the configuration names, judged like the configuration file; empty after a problem. */
    private static Optional<byte[]> readFile(TableReader table, String key, Path file, String what, int limit,
            FileTrust trust) {
        byte[] bytes;
        try {
            bytes = BoundedFiles.read(file, limit, "a " + what);
        } catch (NoSuchFileException e) {
            table.report(key, "cannot read " + file + ": no such file");
            return Optional.empty();
        } catch (AccessDeniedException e) {
            table.report(key, "cannot read " + file + ": permission denied");
            return Optional.empty();
        } catch (IOException e) {
            table.report(key, "cannot read " + file + ": " + (Files.isDirectory(file) ? "is a directory, expected a file"
                    : String.valueOf(e.getMessage())));
            return Optional.empty();
        }
        if (!trust.check(file, what, message -> table.report(key, message))) {
            return Optional.empty();
        }
        return Optional.of(bytes);
    }

    /**
     * StrictModes for the files a configuration names: a refusal is a problem, or a warning with
     * {@code [agent] allow_insecure_permissions = true}.
     */
    private static final class FileTrust {
        private final StrictModes strict;
        private final boolean allowInsecure;
        final List<String> warnings = new ArrayList<>();

        FileTrust(StrictModes strict, boolean allowInsecure) {
            this.strict = strict;
            this.allowInsecure = allowInsecure;
        }

        /** Whether {@code file} may be used; reports why not through {@code problem}. */
        boolean check(Path file, String what, java.util.function.Consumer<String> problem) {
            if (strict == null) {
                return true;
            }
            try {
                Optional<String> distrust = strict.distrust(file, "load", what);
                return distrust.isEmpty() || refuse(distrust.get(), problem);
            } catch (IOException e) {
                problem.accept("cannot inspect " + file + ": " + e.getMessage());
                return false;
            }
        }

        /** Records a refusal as a problem, or as a warning when allowed; true when the file may be used anyway. */
        boolean refuse(String why, java.util.function.Consumer<String> problem) {
            if (allowInsecure) {
                warnings.add(why.replaceFirst("^refusing to ", "would refuse to ")
                        + " (allowed by [agent] allow_insecure_permissions)");
                return true;
            }
            problem.accept(why);
            return false;
        }
    }

    /**
     * {@code [alertmanager] rules = { "FleetErrorRate" = "fleet-rollback" }}: each alert name maps to a rule that
     * Alertmanager drives ({@code source = "alertmanager"}).
     *
     * @param ruleTables every {@code [[rule]]}, valid or not, so that a rule with an error elsewhere is not also
     *     reported as missing here
     */
    private static AlertmanagerSettings readAlertmanager(TableReader table, List<TableReader> ruleTables,
            List<RuleConfig> rules) {
        Map<String, String> mapping = table.stringTable("rules");
        table.rejectUnknownKeys();
        Map<String, RuleConfig> byName = new HashMap<>();
        rules.forEach(rule -> byName.put(rule.name(), rule));
        java.util.Set<String> declared = new java.util.LinkedHashSet<>();
        ruleTables.forEach(rule -> {
            if (rule.isString("name")) {
                declared.add(rule.string("name", ""));
            }
        });
        Map<String, String> valid = new LinkedHashMap<>();
        mapping.forEach((alert, rule) -> {
            RuleConfig target = byName.get(rule);
            if (target == null && !declared.contains(rule)) {
                StringBuilder message = new StringBuilder("no [[rule]] named \"" + rule + "\"");
                Suggestions.closest(rule, declared)
                        .ifPresent(s -> message.append(" (did you mean \"").append(s).append("\"?)"));
                table.reportInTable("rules", alert, message.toString());
            } else if (target != null && !target.fromAlertmanager()) {
                table.reportInTable("rules", alert, "rule \"" + rule + "\" has a when of its own; a rule that "
                        + "Alertmanager drives says source = \"alertmanager\"");
            } else if (target != null) {
                valid.put(alert, rule);
            }
        });
        return new AlertmanagerSettings(valid);
    }

    private static DeploySettings readDeploy(TableReader table, Map<String, ActionConfig> actions, Path base) {
        Duration watch = table.duration("watch", DeploySettings.DEFAULT_WATCH, DeploySettings.MIN_WATCH,
                DeploySettings.MAX_WATCH);
        Duration baselineWindow = table.duration("baseline_window", DeploySettings.DEFAULT_BASELINE_WINDOW,
                DeploySettings.MIN_BASELINE_WINDOW, DeploySettings.MAX_BASELINE_WINDOW);
        String onHealthy = table.string("on_healthy", null);
        if (onHealthy != null && !actions.containsKey(onHealthy)) {
            StringBuilder message = new StringBuilder("no [action." + onHealthy + "] is defined");
            Suggestions.closest(onHealthy, actions.keySet())
                    .ifPresent(s -> message.append(" (did you mean \"").append(s).append("\"?)"));
            table.report("on_healthy", message.toString());
            onHealthy = null;
        } else if (onHealthy != null && actions.get(onHealthy).rollback()) {
            table.report("on_healthy", "[action." + onHealthy + "] is a rollback (rollback = true); a healthy "
                    + "deployment has nothing to roll back: name another action");
            onHealthy = null;
        }
        Path watchPath = table.path("watch_path", null, base);
        long scorePass = table.integer("score_pass", DeploySettings.DEFAULT_SCORE_PASS, 0, 100);
        long scoreMarginal = table.integer("score_marginal", Math.min(scorePass, DeploySettings.DEFAULT_SCORE_MARGINAL),
                0, 100);
        if (scoreMarginal > scorePass) {
            table.report("score_marginal", "score_marginal (" + scoreMarginal + ") is above score_pass (" + scorePass
                    + "): a marginal score is one below the pass");
            scoreMarginal = scorePass;
        }
        String onFail = table.string("on_fail", null);
        if (onFail != null && !actions.containsKey(onFail)) {
            StringBuilder message = new StringBuilder("no [action." + onFail + "] is defined");
            Suggestions.closest(onFail, actions.keySet())
                    .ifPresent(s -> message.append(" (did you mean \"").append(s).append("\"?)"));
            table.report("on_fail", message.toString());
            onFail = null;
        }
        table.rejectUnknownKeys();
        return new DeploySettings(watch, baselineWindow, onHealthy, watchPath, scorePass, scoreMarginal, onFail);
    }

    private static ConfigException fileProblem(String name, String reason) {
        return new ConfigException(List.of(new ConfigProblem(name, 0, 0, "cannot read configuration: " + reason)));
    }
}
