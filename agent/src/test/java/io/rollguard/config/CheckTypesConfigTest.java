package io.rollguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollguard.config.check.CheckSpec;
import io.rollguard.config.check.LogCheckSpec;
import io.rollguard.config.check.PortCheckSpec;
import io.rollguard.config.check.ShmCheckSpec;
import io.rollguard.config.check.SystemdCheckSpec;
import io.rollguard.config.check.TlsCheckSpec;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tls, port, shm, log and systemd check types read from TOML into their specs, defaults applied. Their errors
 * are pinned by the checks-*.bad.toml golden files that {@link ConfigLoaderTest} reads.
 */
class CheckTypesConfigTest {
    private static final Path BASE = Path.of("/etc/rollguard");

    static Stream<Arguments> checks() throws UnknownHostException {
        return Stream.of(
                arguments("tls with defaults", "type = \"tls\"\nhost = \"api.example.com\"",
                        new TlsCheckSpec("api.example.com", 443, "api.example.com", 14, null)),
                arguments("tls with every key", "type = \"tls\"\nhost = \"10.0.0.5\"\nport = 8443\n"
                                + "server_name = \"api.example.com\"\nmin_days_valid = 30\nca_file = \"certs/ca.pem\"",
                        new TlsCheckSpec("10.0.0.5", 8443, "api.example.com", 30, BASE.resolve("certs/ca.pem"))),
                arguments("tls to an address", "type = \"tls\"\nhost = \"127.0.0.1\"\nserver_name = \"::1\"",
                        new TlsCheckSpec("127.0.0.1", 443, "::1", 14, null)),
                arguments("port with defaults", "type = \"port\"\nports = [5555, 5557, 5558, 5559]",
                        new PortCheckSpec(List.of(5555, 5557, 5558, 5559), PortCheckSpec.Expectation.LISTENING,
                                PortCheckSpec.Protocol.TCP, null)),
                arguments("port with every key", "type = \"port\"\nports = 5353\nexpect = \"free\"\nproto = \"udp\"\n"
                                + "address = \"::1\"",
                        new PortCheckSpec(List.of(5353), PortCheckSpec.Expectation.FREE, PortCheckSpec.Protocol.UDP,
                                InetAddress.getByName("::1"))),
                arguments("port on an IPv4 address", "type = \"port\"\nports = [80]\naddress = \"127.0.0.1\"",
                        new PortCheckSpec(List.of(80), PortCheckSpec.Expectation.LISTENING, PortCheckSpec.Protocol.TCP,
                                InetAddress.getByName("127.0.0.1"))),
                arguments("shm by key", "type = \"shm\"\nkey = \"0x0000162e\"",
                        new ShmCheckSpec(new ShmCheckSpec.SysvKey(0x162e), ShmCheckSpec.Expectation.PRESENT, -1)),
                arguments("shm by a key with its top bit set", "type = \"shm\"\nkey = \"0xDEADBEEF\"\nmin_size = \"64MiB\"",
                        new ShmCheckSpec(new ShmCheckSpec.SysvKey(0xdeadbeef), ShmCheckSpec.Expectation.PRESENT,
                                64L * 1024 * 1024)),
                arguments("shm by POSIX name as shm_open spells it",
                        "type = \"shm\"\nposix_name = \"/stimulus_stream\"\nexpect = \"absent\"",
                        new ShmCheckSpec(new ShmCheckSpec.PosixName("stimulus_stream"),
                                ShmCheckSpec.Expectation.ABSENT, -1)),
                arguments("shm by POSIX name as /dev/shm lists it", "type = \"shm\"\nposix_name = \"stimulus_stream\"",
                        new ShmCheckSpec(new ShmCheckSpec.PosixName("stimulus_stream"),
                                ShmCheckSpec.Expectation.PRESENT, -1)),
                arguments("log with defaults", "type = \"log\"\npath = \"logs/app.log\"\npattern = \"ERROR\"",
                        new LogCheckSpec(BASE.resolve("logs/app.log"), Pattern.compile("ERROR"), 0,
                                Duration.ofMinutes(5))),
                arguments("log with every key", "type = \"log\"\npath = \"/var/log/app.log\"\n"
                                + "pattern = \"ERROR|Traceback\"\nmax_matches = 5\nwindow = \"1h\"",
                        new LogCheckSpec(Path.of("/var/log/app.log"), Pattern.compile("ERROR|Traceback"), 5,
                                Duration.ofHours(1))),
                arguments("systemd with defaults", "type = \"systemd\"\nunit = \"dsa110-api.service\"",
                        new SystemdCheckSpec("dsa110-api.service", Set.of(SystemdCheckSpec.Expectation.ACTIVE))),
                arguments("systemd with every key",
                        "type = \"systemd\"\nunit = \"-.mount\"\nexpect = [\"enabled\", \"active\"]",
                        new SystemdCheckSpec("-.mount", Set.of(SystemdCheckSpec.Expectation.ACTIVE,
                                SystemdCheckSpec.Expectation.ENABLED))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("checks")
    void readsEachTypeWithItsDefaults(String name, String keys, CheckSpec expected) throws ConfigException {
        String text = "[[check]]\nname = \"it\"\n" + keys + "\n";

        CheckSpec spec = ConfigLoader.parse(new ConfigSource("checks.toml", text, BASE)).checks().get(0).spec();

        // Pattern compares by identity: two compilations of the same regex are the same setting here.
        assertThat(spec).usingRecursiveComparison()
                .withEqualsForType((a, b) -> a.pattern().equals(b.pattern()) && a.flags() == b.flags(), Pattern.class)
                .isEqualTo(expected);
        assertThat(spec.type()).isEqualTo(expected.type());
    }
}
