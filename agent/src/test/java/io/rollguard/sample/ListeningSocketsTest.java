package io.rollguard.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rollguard.sample.ListeningSockets.Listener;
import io.rollguard.sample.PortSampler.Protocol;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListeningSocketsTest {
    @TempDir
    Path temp;

    @Test
    void listsTheListenersOfOneProtocolWithTheirHolders() throws IOException {
        // The captured tables come from a little-endian host; the public constructor decodes in this host's order.
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "the captured tables are little-endian");
        Path proc = temp.resolve("proc");
        Files.createDirectories(proc.resolve("net"));
        for (String name : List.of("tcp", "tcp6", "udp", "udp6")) {
            Files.copy(WrittenSeries.fixture("proc/net/" + name), proc.resolve("net").resolve(name));
        }
        Path fd = Files.createDirectories(proc.resolve("5381/fd"));
        Files.writeString(proc.resolve("5381/comm"), "python3\n");
        Files.createSymbolicLink(fd.resolve("3"), Path.of("socket:[7158]"));

        List<Listener> udp = new ListeningSockets(proc).listeners(Protocol.UDP);

        assertThat(udp).allMatch(listener -> listener.protocol() == Protocol.UDP);
        assertThat(udp).contains(new Listener(Protocol.UDP, "127.0.0.1", 5353, 5381, "python3"),
                new Listener(Protocol.UDP, "0.0.0.0", 5354, -1, ""));
        assertThat(udp).filteredOn(Listener::holderKnown).hasSize(1);
    }

    /** The host's own reading (sock_diag where allowed) finds this JVM's listener, held by this JVM. */
    @Test
    void findsAListenerOfThisJvmOnThisHost() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            List<Listener> tcp = ListeningSockets.forHost().listeners(Protocol.TCP);

            assertThat(tcp).filteredOn(listener -> listener.port() == server.getLocalPort())
                    .isNotEmpty()
                    .extracting(Listener::pid)
                    .containsOnly(ProcessHandle.current().pid());
        }
    }
}
