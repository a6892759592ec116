package io.rollguard.check;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollguard.config.check.PortCheckSpec;
import io.rollguard.config.check.PortCheckSpec.Expectation;
import io.rollguard.config.check.PortCheckSpec.Protocol;
import io.rollguard.sample.ListeningSockets;
import java.io.Closeable;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Against this host's kernel with sockets this JVM opens (so their holder is "java" with this pid), and against the
 * captured /proc/net tables of the ISI Macroscope host, whose IPC ports the seed checklist asks about.
 */
class PortCheckTest {
    /** What the test binds before the check runs: a TCP listener, a UDP socket, or nothing (a port just freed). */
    enum Bind {
        TCP_LOOPBACK, TCP_ANY, UDP_LOOPBACK, NOTHING
    }

    static Stream<Arguments> liveCases() {
        return Stream.of(
                arguments("a listener passes listening", Bind.TCP_LOOPBACK, Expectation.LISTENING, Protocol.TCP, null,
                        true, "listening: PORT by JAVA"),
                arguments("a free port fails listening", Bind.NOTHING, Expectation.LISTENING, Protocol.TCP, null,
                        false, "PORT is not listening"),
                arguments("a free port passes free", Bind.NOTHING, Expectation.FREE, Protocol.TCP, null,
                        true, "free: PORT"),
                arguments("a listener fails free naming its process", Bind.TCP_LOOPBACK, Expectation.FREE, Protocol.TCP,
                        null, false, "PORT is in use by JAVA"),
                arguments("the address it is bound to", Bind.TCP_LOOPBACK, Expectation.LISTENING, Protocol.TCP,
                        "127.0.0.1", true, "listening: PORT by JAVA [on 127.0.0.1]"),
                arguments("the same address as a mapped IPv6 one", Bind.TCP_LOOPBACK, Expectation.LISTENING,
                        Protocol.TCP, "::ffff:127.0.0.1", true, "listening: PORT by JAVA [on 127.0.0.1]"),
                arguments("another address", Bind.TCP_LOOPBACK, Expectation.LISTENING, Protocol.TCP, "10.1.2.3",
                        false, "PORT is not listening [on 10.1.2.3]"),
                arguments("another address is free", Bind.TCP_LOOPBACK, Expectation.FREE, Protocol.TCP, "10.1.2.3",
                        true, "free: PORT [on 10.1.2.3]"),
                arguments("a wildcard covers an address", Bind.TCP_ANY, Expectation.LISTENING, Protocol.TCP,
                        "127.0.0.1", true, "listening: PORT by JAVA [on 127.0.0.1]"),
                arguments("a TCP listener is no UDP socket", Bind.TCP_LOOPBACK, Expectation.FREE, Protocol.UDP, null,
                        true, "free: PORT [udp]"),
                arguments("a bound UDP socket listens", Bind.UDP_LOOPBACK, Expectation.LISTENING, Protocol.UDP, null,
                        true, "listening: PORT by JAVA [udp]"),
                arguments("a bound UDP socket is in use", Bind.UDP_LOOPBACK, Expectation.FREE, Protocol.UDP, null,
                        false, "PORT is in use by JAVA [udp]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("liveCases")
    void judgesThisJvmsSockets(String name, Bind bind, Expectation expect, Protocol proto, String address, boolean ok,
            String message) throws IOException {
        try (Bound bound = Bound.open(bind)) {
            PortCheckSpec spec = new PortCheckSpec(List.of(bound.port), expect, proto,
                    address == null ? null : InetAddress.getByName(address));

            CheckResult result = new PortCheck(spec, ListeningSockets.forHost()).run();

            assertThat(result.message()).isEqualTo(message.replace("PORT", Integer.toString(bound.port))
                    .replace("JAVA", ownComm() + " (pid " + ProcessHandle.current().pid() + ")"));
            assertThat(result.ok()).isEqualTo(ok);
            assertThat(result.value()).isEqualTo(ok ? 0.0 : 1.0);
        }
    }

    @Test
    void namesEveryOffenderAndCountsThem() throws IOException {
        try (Bound busy = Bound.open(Bind.TCP_LOOPBACK); Bound alsoBusy = Bound.open(Bind.TCP_LOOPBACK);
                Bound free = Bound.open(Bind.NOTHING)) {
            PortCheckSpec spec = new PortCheckSpec(List.of(busy.port, free.port, alsoBusy.port), Expectation.FREE,
                    Protocol.TCP, null);

            CheckResult result = new PortCheck(spec, ListeningSockets.forHost()).run();

            String java = ownComm() + " (pid " + ProcessHandle.current().pid() + ")";
            assertThat(result.ok()).isFalse();
            assertThat(result.value()).isEqualTo(2.0);
            assertThat(result.message()).isEqualTo(busy.port + " is in use by " + java + "; " + alsoBusy.port
                    + " is in use by " + java);
        }
    }

    static Stream<Arguments> seedCases() {
        return Stream.of(
                arguments("before start: none may be taken", Expectation.FREE, false, 4.0,
                        "5555 is in use by python3 (pid 4242); 5557 is in use by python3 (pid 4242); "
                                + "5558 is in use by a process the agent cannot see; "
                                + "5559 is in use by a process the agent cannot see"),
                arguments("after start: all listen", Expectation.LISTENING, true, 0.0,
                        "listening: 5555 by python3 (pid 4242), 5557 by python3 (pid 4242), "
                                + "5558 by a process the agent cannot see, 5559 by a process the agent cannot see"));
    }

    /** Seed 000: "IPC ports 5555/5557/5558/5559 free before start and listening after". */
    @ParameterizedTest(name = "{0}")
    @MethodSource("seedCases")
    void judgesTheSeedsIpcPortsOnTheCapturedTables(String name, Expectation expect, boolean ok, double value,
            String message, @TempDir Path temp) throws IOException, URISyntaxException {
        // The capture comes from a little-endian host, and the public reader decodes in this host's order.
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "the captured tables are little-endian");
        Path proc = capturedProc(temp);
        PortCheckSpec spec = new PortCheckSpec(List.of(5555, 5557, 5558, 5559), expect, Protocol.TCP, null);

        CheckResult result = new PortCheck(spec, new ListeningSockets(proc)).run();

        assertThat(result.message()).isEqualTo(message);
        assertThat(result.ok()).isEqualTo(ok);
        assertThat(result.value()).isEqualTo(value);
    }

    /** The captured net tables, and python3 as pid 4242 holding the sockets of 5555 and 5557 (inodes 7144, 7145). */
    private static Path capturedProc(Path temp) throws IOException, URISyntaxException {
        Path proc = temp.resolve("proc");
        Files.createDirectories(proc.resolve("net"));
        Path fixtures = Path.of(PortCheckTest.class.getResource("/fixtures/proc/net").toURI());
        for (String table : List.of("tcp", "tcp6", "udp", "udp6")) {
            Files.copy(fixtures.resolve(table), proc.resolve("net").resolve(table));
        }
        Path fd = Files.createDirectories(proc.resolve("4242/fd"));
        Files.writeString(proc.resolve("4242/comm"), "python3\n");
        Files.createSymbolicLink(fd.resolve("3"), Path.of("socket:[7144]"));
        Files.createSymbolicLink(fd.resolve("4"), Path.of("socket:[7145]"));
        return proc;
    }

    private static String ownComm() throws IOException {
        return Files.readString(Path.of("/proc/self/comm"), UTF_8).strip();
    }

    /** A socket the test holds, or a port it held and let go of, which is free as far as anyone can tell. */
    private static final class Bound implements AutoCloseable {
        final int port;
        private final Closeable socket;

        private Bound(int port, Closeable socket) {
            this.port = port;
            this.socket = socket;
        }

        static Bound open(Bind bind) throws IOException {
            InetAddress loopback = InetAddress.getByName("127.0.0.1");
            switch (bind) {
                case TCP_LOOPBACK: {
                    ServerSocket server = new ServerSocket(0, 50, loopback);
                    return new Bound(server.getLocalPort(), server);
                }
                case TCP_ANY: {
                    ServerSocket server = new ServerSocket(0);
                    return new Bound(server.getLocalPort(), server);
                }
                case UDP_LOOPBACK: {
                    DatagramSocket socket = new DatagramSocket(new InetSocketAddress(loopback, 0));
                    return new Bound(socket.getLocalPort(), socket);
                }
                case NOTHING: {
                    try (ServerSocket server = new ServerSocket(0, 50, loopback)) {
                        return new Bound(server.getLocalPort(), null);
                    }
                }
            }
            throw new AssertionError(bind);
        }

        @Override
        public void close() throws IOException {
            if (socket != null) {
                socket.close();
            }
        }
    }
}
