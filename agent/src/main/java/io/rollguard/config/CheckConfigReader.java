package io.rollguard.config;

import io.rollguard.common.Suggestions;
import io.rollguard.config.check.CheckSpec;
import io.rollguard.config.check.CommandCheckSpec;
import io.rollguard.config.check.DiskCheckSpec;
import io.rollguard.config.check.HostCheckSpec;
import io.rollguard.config.check.HttpCheckSpec;
import io.rollguard.config.check.LogCheckSpec;
import io.rollguard.config.check.PathCheckSpec;
import io.rollguard.config.check.PortCheckSpec;
import io.rollguard.config.check.ProcessCheckSpec;
import io.rollguard.config.check.ShmCheckSpec;
import io.rollguard.config.check.SystemdCheckSpec;
import io.rollguard.config.check.TcpCheckSpec;
import io.rollguard.config.check.TlsCheckSpec;
import io.rollguard.config.check.VersionRequirement;
import io.rollguard.config.process.ProcessSelector;
import io.rollguard.config.process.ProcessSettings;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import javax.net.ssl.SNIHostName;

/** Reads the {@code [[check]]} tables: the keys every check has, then its type's own. */
final class CheckConfigReader {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
    private static final Duration MAX_INTERVAL = Duration.ofDays(1);
    private static final Duration MIN_TIMEOUT = Duration.ofMillis(10);
    private static final Duration MAX_TIMEOUT = Duration.ofHours(1);
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
            + "(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    private static final Pattern SYSV_KEY = Pattern.compile("0[xX][0-9a-fA-F]{1,8}");
    // systemd's alphabet for unit names; a leading '-' is allowed ("-.mount") because the unit follows "--".
    private static final Pattern UNIT_NAME = Pattern.compile("[A-Za-z0-9:_@\\\\-][A-Za-z0-9:_.@\\\\-]{0,254}");
    private static final Duration MAX_LOG_WINDOW = Duration.ofDays(1);

    private final Path base;
    private final Map<String, ProcessSettings> processes = new LinkedHashMap<>();
    /** The name of the check being read, for the type readers that need it. */
    private String checkName = "";
    private final Map<String, BiFunction<CheckConfigReader, TableReader, CheckSpec>> types = new LinkedHashMap<>();

    /** @param processes the {@code [[process]]} entries a {@code process} check may name */
    CheckConfigReader(Path base, List<ProcessSettings> processes) {
        this.base = base;
        processes.forEach(p -> this.processes.put(p.name(), p));
        types.put("http", CheckConfigReader::http);
        types.put("tcp", CheckConfigReader::tcp);
        types.put("command", CheckConfigReader::command);
        types.put("path", CheckConfigReader::path);
        types.put("disk", CheckConfigReader::disk);
        types.put("host", CheckConfigReader::host);
        types.put("process", CheckConfigReader::process);
        types.put("tls", CheckConfigReader::tls);
        types.put("port", CheckConfigReader::port);
        types.put("shm", CheckConfigReader::shm);
        types.put("log", CheckConfigReader::log);
        types.put("systemd", CheckConfigReader::systemd);
    }

    List<CheckConfig> read(List<TableReader> tables) {
        List<CheckConfig> checks = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (TableReader table : tables) {
            String name = table.uniqueName("check", names);
            checkName = name;
            String type = table.requiredString("type");
            Duration interval = table.duration("interval", CheckConfig.DEFAULT_INTERVAL, MIN_INTERVAL, MAX_INTERVAL);
            Duration timeout = table.duration("timeout", CheckConfig.DEFAULT_TIMEOUT, MIN_TIMEOUT, MAX_TIMEOUT);
            boolean critical = table.bool("critical", false);
            List<String> tags = table.strings("tags", List.of());
            for (String tag : tags) {
                if (!NAME.matcher(tag).matches() || tag.equals("detailed")) {
                    table.report("tags", "a tag names /health/TAG: letters, digits, '_', '.' or '-', and not "
                            + "\"detailed\"; got \"" + tag + "\"");
                }
            }
            String description = table.string("description", "");
            BiFunction<CheckConfigReader, TableReader, CheckSpec> reader = types.get(type);
            if (reader == null) {
                if (!type.isEmpty()) {
                    StringBuilder message = new StringBuilder("unknown check type \"" + type + "\"");
                    Suggestions.closest(type, types.keySet())
                            .ifPresent(s -> message.append(" (did you mean \"").append(s).append("\"?)"));
                    message.append("; known types: ").append(String.join(", ", types.keySet()));
                    table.report("type", message.toString());
                }
                continue; // its other keys cannot be judged without a type
            }
            CheckSpec spec = reader.apply(this, table);
            table.rejectUnknownKeys();
            if (spec != null) {
                checks.add(new CheckConfig(name, description, interval, timeout, critical, tags, spec));
            }
        }
        return checks;
    }

    private CheckSpec http(TableReader table) {
        URI uri = table.httpUrl("url");
        String method = table.string("method", "GET").toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            table.report("method", "expected one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, got \"" + method + "\"");
        }
        Map<String, String> headers = table.stringTable("headers");
        String body = table.string("body", "");
        List<Integer> expectStatus = table.integers("expect_status", List.of(), 100, 599);
        List<String> expectJsonKeys = table.strings("expect_json_keys", List.of());
        Pattern expectBody = table.regex("expect_body");
        String expectContentType = table.has("expect_content_type") ? table.string("expect_content_type", null) : null;
        Duration maxLatency = table.duration("max_latency", null, Duration.ofMillis(1), MAX_TIMEOUT);
        boolean tlsVerify = table.bool("tls_verify", true);
        Map<String, String> extract = table.stringTable("extract");
        extract.forEach((field, pointer) -> {
            if (!pointer.startsWith("/")) {
                table.report("extract", "field \"" + field + "\": expected a JSON pointer such as \"/queue/depth\", got \""
                        + pointer + "\"");
            }
        });
        if (uri == null) {
            return null;
        }
        return new HttpCheckSpec(uri, method, headers, body, expectStatus, expectJsonKeys, expectBody, expectContentType,
                maxLatency, tlsVerify, extract);
    }

    private CheckSpec tcp(TableReader table) {
        String host = table.string("host", "127.0.0.1");
        int port = (int) table.integer("port", 0, 1, 65535);
        if (!table.has("port")) {
            table.report("missing required key \"port\"");
        }
        return new TcpCheckSpec(host, port);
    }

    private CheckSpec command(TableReader table) {
        List<String> run = table.strings("run", List.of());
        if (!table.has("run")) {
            table.report("missing required key \"run\" (the program and its arguments, such as [\"python3\", \"--version\"])");
        } else if (run.isEmpty()) {
            table.report("run", "must name a program: [\"program\", \"argument\", ...]");
        }
        int expectExit = (int) table.integer("expect_exit", 0, 0, 255);
        Pattern expectOutput = table.regex("expect_output");
        VersionRequirement expectVersion = null;
        String version = table.string("expect_version", null);
        if (version != null) {
            try {
                expectVersion = VersionRequirement.parse(version);
            } catch (IllegalArgumentException e) {
                table.report("expect_version", e.getMessage());
            }
        }
        Pattern valueRegex = table.regex("value_regex");
        if (valueRegex != null && valueRegex.matcher("").groupCount() < 1) {
            table.report("value_regex", "needs a group, such as \"([0-9]+) rows\": its first group is the value");
        }
        return new CommandCheckSpec(run, expectExit, expectOutput, expectVersion, valueRegex);
    }

    private CheckSpec path(TableReader table) {
        String path = table.requiredString("path");
        Set<PathCheckSpec.Expectation> expect = table.choices("expect", PathCheckSpec.Expectation.class,
                Set.of(PathCheckSpec.Expectation.EXISTS));
        if (expect.contains(PathCheckSpec.Expectation.ABSENT) && expect.size() > 1) {
            table.report("expect", "\"absent\" cannot be combined with other expectations");
        }
        Duration maxAge = table.duration("max_age", null, Duration.ofSeconds(1), Duration.ofDays(3650));
        long minSize = table.size("min_size", -1);
        int mode = -1;
        String modeText = table.string("mode", null);
        if (modeText != null) {
            if (modeText.matches("0?[0-7]{3,4}")) {
                mode = Integer.parseInt(modeText, 8);
            } else {
                table.report("mode", "expected octal permission bits in quotes, such as \"0750\", got \"" + modeText + "\"");
            }
        }
        String owner = table.string("owner", null);
        return new PathCheckSpec(base.resolve(path), expect, maxAge, minSize, mode, owner);
    }

    private CheckSpec disk(TableReader table) {
        String path = table.requiredString("path");
        long minFree = table.size("min_free", -1);
        double maxUsed = table.ratio("max_used", Double.NaN);
        if (!table.has("min_free") && !table.has("max_used")) {
            table.report("needs \"min_free\" (a size such as \"10GiB\") or \"max_used\" (a ratio such as \"90%\"), or both");
        }
        return new DiskCheckSpec(base.resolve(path), minFree, maxUsed);
    }

    private CheckSpec process(TableReader table) {
        String name = table.string("process", null);
        Pattern match = table.regex("match");
        int minCount = (int) table.integer("min_count", 1, 1, 1_000_000);
        long maxRss = table.size("max_rss", -1);
        if (table.has("process") == table.has("match")) {
            table.report("needs exactly one of \"process\" (the name of a [[process]] entry) or \"match\" (a regular "
                    + "expression over command lines)");
            return null;
        }
        if (table.has("match")) {
            // An inline match watches processes of its own, named after the check in messages; null: reported already.
            return match == null ? null : new ProcessCheckSpec(
                    new ProcessSettings(checkName, new ProcessSelector.CommandLinePattern(match)), minCount, maxRss);
        }
        if (name == null) {
            return null; // not a string: reported already
        }
        ProcessSettings process = processes.get(name);
        if (process == null) {
            StringBuilder message = new StringBuilder("no [[process]] entry is named \"" + name + "\"");
            Suggestions.closest(name, processes.keySet())
                    .ifPresent(s -> message.append(" (did you mean \"").append(s).append("\"?)"));
            table.report("process", message.toString());
            return null;
        }
        return new ProcessCheckSpec(process, minCount, maxRss);
    }

    private CheckSpec host(TableReader table) {
        long minMemory = table.size("min_memory", -1);
        int minCpus = (int) table.integer("min_cpus", -1, 1, 100_000);
        long minDisk = table.size("min_disk", -1);
        String diskPath = table.string("disk_path", "/");
        if (!table.has("min_memory") && !table.has("min_cpus") && !table.has("min_disk")) {
            table.report("needs at least one of \"min_memory\", \"min_cpus\", \"min_disk\"");
        }
        return new HostCheckSpec(minMemory, minCpus, minDisk, base.resolve(diskPath));
    }

    private CheckSpec tls(TableReader table) {
        String host = table.requiredString("host");
        int port = (int) table.integer("port", 443, 1, 65535);
        String serverName = table.string("server_name", host);
        if (table.has("server_name")) {
            if (serverName.isBlank()) {
                table.report("server_name", "must not be empty");
            } else if (isIpLiteral(serverName) ? ipLiteral(serverName) == null : !isHostName(serverName)) {
                table.report("server_name", "expected a host name such as \"api.example.com\", or an IP address, got \""
                        + serverName + "\"");
            }
        }
        int minDaysValid = (int) table.integer("min_days_valid", 14, 0, 3650);
        Path caFile = table.path("ca_file", null, base);
        return new TlsCheckSpec(host, port, serverName, minDaysValid, caFile);
    }

    private CheckSpec port(TableReader table) {
        List<Integer> ports = table.integers("ports", List.of(), 1, 65535);
        if (!table.has("ports")) {
            table.report("missing required key \"ports\" (such as [5555, 5557])");
        }
        Set<Integer> seen = new HashSet<>();
        for (int port : ports) {
            if (!seen.add(port)) {
                table.report("ports", "lists " + port + " more than once");
            }
        }
        PortCheckSpec.Expectation expect = table.choice("expect", PortCheckSpec.Expectation.class,
                PortCheckSpec.Expectation.LISTENING);
        PortCheckSpec.Protocol proto = table.choice("proto", PortCheckSpec.Protocol.class, PortCheckSpec.Protocol.TCP);
        InetAddress address = null;
        String addressText = table.string("address", null);
        if (addressText != null) {
            address = ipLiteral(addressText);
            if (address == null) {
                table.report("address", "expected an IP address such as \"127.0.0.1\" or \"::1\", got \""
                        + addressText + "\"");
            }
        }
        return new PortCheckSpec(ports, expect, proto, address);
    }

    /** The POSIX name is {@code posix_name}, not {@code name}: every check's {@code name} is already its own. */
    private CheckSpec shm(TableReader table) {
        String keyText = table.string("key", null);
        String nameText = table.string("posix_name", null);
        ShmCheckSpec.Expectation expect = table.choice("expect", ShmCheckSpec.Expectation.class,
                ShmCheckSpec.Expectation.PRESENT);
        long minSize = table.size("min_size", -1);
        if (expect == ShmCheckSpec.Expectation.ABSENT && table.has("min_size")) {
            table.report("min_size", "cannot be combined with expect = \"absent\"");
        }
        if (!table.has("key") && !table.has("posix_name")) {
            table.report("needs \"key\" (a System V key as ipcs -m shows it, such as \"0x0000162e\") or \"posix_name\" "
                    + "(a POSIX segment, a file under /dev/shm)");
            return null;
        }
        if (table.has("key") && table.has("posix_name")) {
            table.report("posix_name", "conflicts with key: give exactly one of key (System V) or posix_name (POSIX)");
            return null;
        }
        ShmCheckSpec.Segment segment = null;
        if (keyText != null) {
            if (!SYSV_KEY.matcher(keyText).matches()) {
                table.report("key", "expected a System V key in hex as ipcs -m shows it, such as \"0x0000162e\", got \""
                        + keyText + "\"");
            } else if (Integer.parseUnsignedInt(keyText.substring(2), 16) == 0) {
                table.report("key", "0x00000000 is IPC_PRIVATE, which any number of segments share: it names none");
            } else {
                segment = new ShmCheckSpec.SysvKey(Integer.parseUnsignedInt(keyText.substring(2), 16));
            }
        }
        if (nameText != null) {
            // shm_open takes "/name"; /dev/shm lists "name". Either spelling means the same segment.
            String name = nameText.startsWith("/") ? nameText.substring(1) : nameText;
            if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
                table.report("posix_name", "expected a POSIX segment name such as \"stimulus_stream\" (a file directly "
                        + "under /dev/shm), got \"" + nameText + "\"");
            } else if (name.startsWith("sem.")) {
                table.report("posix_name", "\"" + nameText + "\" is a POSIX semaphore (sem_open), not shared memory");
            } else {
                segment = new ShmCheckSpec.PosixName(name);
            }
        }
        return segment == null ? null : new ShmCheckSpec(segment, expect, minSize);
    }

    private CheckSpec log(TableReader table) {
        String path = table.requiredString("path");
        Pattern pattern = table.regex("pattern");
        if (!table.has("pattern")) {
            table.report("missing required key \"pattern\" (a regular expression such as \"ERROR|Traceback\")");
        }
        int maxMatches = (int) table.integer("max_matches", 0, 0, 1_000_000);
        Duration window = table.duration("window", Duration.ofMinutes(5), MIN_INTERVAL, MAX_LOG_WINDOW);
        if (path.isEmpty() || pattern == null) {
            return null;
        }
        return new LogCheckSpec(base.resolve(path), pattern, maxMatches, window);
    }

    private CheckSpec systemd(TableReader table) {
        String unit = table.requiredString("unit");
        if (!unit.isEmpty() && !UNIT_NAME.matcher(unit).matches()) {
            table.report("unit", "expected a systemd unit name such as \"backend.service\", got \"" + unit + "\"");
        }
        Set<SystemdCheckSpec.Expectation> expect = table.choices("expect", SystemdCheckSpec.Expectation.class,
                Set.of(SystemdCheckSpec.Expectation.ACTIVE));
        if (expect.isEmpty()) {
            table.report("expect", "must list at least one of \"active\", \"enabled\"");
        }
        return new SystemdCheckSpec(unit, expect);
    }

    /** What SNI can carry (RFC 6066): an ASCII host name, by the JDK's own rules. */
    private static boolean isHostName(String text) {
        try {
            new SNIHostName(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean isIpLiteral(String text) {
        return IPV4.matcher(text).matches() || text.contains(":");
    }

    /**
     * The address of an IP literal, or null for anything else. Only literals reach InetAddress: a host name there
     * would be looked up in DNS while the configuration loads.
     */
    private static InetAddress ipLiteral(String text) {
        if (!isIpLiteral(text) || !text.matches("[0-9A-Fa-f:.]+")) {
            return null;
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
