package io.rollguard.sample;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.store.LabelSet;
import io.rollguard.store.SeriesWriter;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Against this host's kernel: sockets this JVM opens must show up with this JVM as their process. */
class PortSamplerIntegrationTest {
    /**
     * Where the kernel lists an IPv4 bind of this JVM: the JDK opens dual-stack IPv6 sockets when the host has IPv6
     * (unless java.net.preferIPv4Stack is set), so 127.0.0.1 is listed in tcp6 as the mapped ::ffff:127.0.0.1.
     */
    private static final List<String> LOOPBACK_V4 = List.of("127.0.0.1", "::ffff:127.0.0.1");

    @Test
    void aServerSocketOfThisJvmListensWithItsPidAndName() throws IOException {
        PortSampler sampler = PortSampler.forHost();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            SeriesWriter out = new SeriesWriter();

            sampler.sample(out);

            LabelSet labels = listener(out, "tcp", server.getLocalPort());
            assertThat(labels.get("address")).isIn(LOOPBACK_V4);
            assertThat(labels.get("pid")).isEqualTo(Long.toString(ProcessHandle.current().pid()));
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
            assertThat(labels.get("pid")).isEqualTo(Long.toString(ProcessHandle.current().pid()));
        }
    }

    @Test
    void aListenerOpenedAfterTheFirstSampleIsAttributedAtTheNextOne() throws IOException {
        PortSampler sampler = PortSampler.forHost();
        sampler.sample(new SeriesWriter());
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            SeriesWriter out = new SeriesWriter();

            sampler.sample(out);

            assertThat(listener(out, "tcp", server.getLocalPort()).get("pid"))
                    .isEqualTo(Long.toString(ProcessHandle.current().pid()));
        }
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
