package io.rollguard.sample;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.sample.PortSampler.BoundSocket;
import io.rollguard.sample.PortSampler.NetTable;
import io.rollguard.sample.PortSampler.Protocol;
import io.rollguard.sample.PortSampler.TcpState;
import io.rollguard.store.LabelSet;
import io.rollguard.store.SeriesWriter;
import java.io.BufferedReader;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Against this host's kernel: sockets this JVM opens must show up with this JVM as their process, through sock_diag
 * as through /proc.
 */
class PortSamplerIntegrationTest {
    /**
     * Where the kernel lists an IPv4 bind of this JVM: the JDK opens dual-stack IPv6 sockets when the host has IPv6
     * (unless java.net.preferIPv4Stack is set), so 127.0.0.1 is listed in tcp6 as the mapped ::ffff:127.0.0.1.
     */
    private static final List<String> LOOPBACK_V4 = List.of("127.0.0.1", "::ffff:127.0.0.1");

    @Test
    void aServerSocketOfThisJvmListensWithItsProcessNameAndNoPid() throws IOException {
        PortSampler sampler = PortSampler.forHost();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            SeriesWriter out = new SeriesWriter();

            sampler.sample(out);

            LabelSet labels = listener(out, "tcp", server.getLocalPort());
            assertThat(labels.get("address")).isIn(LOOPBACK_V4);
            assertThat(labels.get("pid")).isNull();
            assertThat(labels.get("process")).isEqualTo(ownComm());
            assertThat(WrittenSeries.family(out, PortSampler.CONNECTIONS).get(LabelSet.of("state", "listen")))
                    .isGreaterThanOrEqualTo(1.0);
        }
    }

    @Test
    void aBoundDatagramSocketOfThisJvmIsListed() throws IOException {
        PortSampler sampler = PortSampler.forHost();
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            SeriesWriter out = new SeriesWriter();

            sampler.sample(out);

            LabelSet labels = listener(out, "udp", socket.getLocalPort());
            assertThat(labels.get("address")).isIn(LOOPBACK_V4);
            assertThat(labels.get("process")).isEqualTo(ownComm());
        }
    }

    @Test
    void aListenerOpenedAfterTheFirstSampleIsAttributedAtTheNextOne() throws IOException {
        PortSampler sampler = PortSampler.forHost();
        sampler.sample(new SeriesWriter());
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            SeriesWriter out = new SeriesWriter();

            sampler.sample(out);

            assertThat(listener(out, "tcp", server.getLocalPort()).get("process")).isEqualTo(ownComm());
            assertThat(sampler.listeners(PortSampler.Protocol.TCP)).filteredOn(l -> l.port() == server.getLocalPort())
                    .extracting(ListeningSockets.Listener::pid).containsExactly(ProcessHandle.current().pid());
        }
    }

    @Test
    void theNetlinkDumpListsAServerSocketOfThisJvm() throws IOException {
        SockDiag sockDiag = SockDiag.forHost();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            NetTable table = sockDiag.dump(Protocol.TCP);

            assertThat(table.bound()).filteredOn(socket -> socket.port() == server.getLocalPort())
                    .singleElement()
                    .satisfies(socket -> assertThat(socket.address()).isIn(LOOPBACK_V4))
                    .satisfies(socket -> assertThat(socket.inode()).isPositive());
            assertThat(table.states().get(TcpState.LISTEN)).isGreaterThanOrEqualTo(1L);
        }
    }

    /**
     * Other processes on the host open and close sockets while the test runs, so the dump is compared with a /proc
     * reading before and one after it: what both list was there throughout and must be in the dump, and the dump may
     * list nothing that neither has.
     */
    @ParameterizedTest
    @EnumSource(Protocol.class)
    void theNetlinkDumpAndProcListTheSameBoundSockets(Protocol protocol) throws IOException {
        SockDiag sockDiag = SockDiag.forHost();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
                DatagramSocket datagram = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            Set<BoundSocket> before = procBound(protocol);
            Set<BoundSocket> dumped = Set.copyOf(sockDiag.dump(protocol).bound());
            Set<BoundSocket> after = procBound(protocol);

            Set<BoundSocket> throughout = new HashSet<>(before);
            throughout.retainAll(after);
            Set<BoundSocket> either = new HashSet<>(before);
            either.addAll(after);
            int port = protocol == Protocol.TCP ? server.getLocalPort() : datagram.getLocalPort();
            assertThat(throughout).anyMatch(socket -> socket.port() == port);
            assertThat(dumped).containsAll(throughout);
            assertThat(either).containsAll(dumped);
        }
    }

    /** Each run opens netlink sockets and reads /proc: a descriptor kept per run would show as a thousand. */
    @Test
    void aThousandRunsLeaveNoDescriptorOpen() throws IOException {
        PortSampler sampler = PortSampler.forHost();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            sampler.sample(new SeriesWriter());
            long before = Descriptors.open();

            for (int run = 0; run < 1000; run++) {
                sampler.sample(new SeriesWriter());
            }

            assertThat(Descriptors.open()).isLessThanOrEqualTo(before + Descriptors.MARGIN);
        }
    }

    /** The bound sockets of a protocol as this host's /proc/net lists them. */
    private static Set<BoundSocket> procBound(Protocol protocol) throws IOException {
        Set<BoundSocket> bound = new HashSet<>();
        for (String name : List.of(protocol.label(), protocol.label() + "6")) {
            Path file = Path.of("/proc/net").resolve(name);
            try (BufferedReader reader = Files.newBufferedReader(file)) {
                bound.addAll(PortSampler.parse(file.toString(), protocol, ByteOrder.nativeOrder(), reader).bound());
            }
        }
        return bound;
    }

    private static LabelSet listener(SeriesWriter out, String proto, int port) {
        return WrittenSeries.family(out, PortSampler.LISTENING).keySet().stream()
                .filter(labels -> proto.equals(labels.get("proto")) && Integer.toString(port).equals(labels.get("port")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + proto + " listener on port " + port + " in "
                        + WrittenSeries.lines(out)));
    }

    private static String ownComm() throws IOException {
        return new String(Files.readAllBytes(Path.of("/proc/self/comm")), UTF_8).strip();
    }
}
