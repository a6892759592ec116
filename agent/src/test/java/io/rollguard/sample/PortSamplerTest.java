package io.rollguard.sample;

import static java.nio.file.StandardOpenOption.APPEND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollguard.sample.PortSampler.BoundSocket;
import io.rollguard.sample.PortSampler.NetTable;
import io.rollguard.sample.PortSampler.Protocol;
import io.rollguard.sample.PortSampler.TcpState;
import io.rollguard.sample.SocketOwners.Owner;
import io.rollguard.store.LabelSet;
import io.rollguard.store.SeriesWriter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class PortSamplerTest {
    private static final String TCP_HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
            + "   uid  timeout inode";
    /** A listener on 127.0.0.1:5555 as a little-endian host prints it. */
    private static final String LISTENER = "   2: 0100007F:15B3 00000000:0000 0A 00000000:00000000 00:00000000 00000000"
            + "     0        0 7144 1 00000000c65a40fd 100 0 0 10 0";

    @TempDir
    Path temp;

    private Path proc;

    /** A /proc of the capture: the net tables, no processes yet. */
    @BeforeEach
    void copyNetTables() throws IOException {
        proc = temp.resolve("proc");
        Files.createDirectories(proc.resolve("net"));
        for (String name : List.of("tcp", "tcp6", "udp", "udp6")) {
            Files.copy(WrittenSeries.fixture("proc/net/" + name), proc.resolve("net").resolve(name));
        }
    }

    @Test
    void parsesCapturedTcp() throws IOException {
        NetTable table = parseFixture("tcp", Protocol.TCP);

        assertThat(table.bound()).containsExactly(
                new BoundSocket(Protocol.TCP, "0.0.0.0", 2024, 1145),
                new BoundSocket(Protocol.TCP, "0.0.0.0", 5557, 7145),
                new BoundSocket(Protocol.TCP, "127.0.0.1", 5555, 7144));
        assertThat(table.states()).containsOnly(
                Map.entry(TcpState.LISTEN, 3L), Map.entry(TcpState.ESTABLISHED, 2L),
                Map.entry(TcpState.CLOSE_WAIT, 1L), Map.entry(TcpState.TIME_WAIT, 1L),
                Map.entry(TcpState.FIN_WAIT2, 1L));
    }

    @Test
    void parsesCapturedTcp6() throws IOException {
        NetTable table = parseFixture("tcp6", Protocol.TCP);

        assertThat(table.bound()).containsExactly(
                new BoundSocket(Protocol.TCP, "::", 5559, 7153),
                new BoundSocket(Protocol.TCP, "::1", 5558, 7152),
                new BoundSocket(Protocol.TCP, "fd00::2", 5561, 7155),
                new BoundSocket(Protocol.TCP, "::ffff:127.0.0.1", 5560, 7154));
        assertThat(table.states()).containsOnly(
                Map.entry(TcpState.LISTEN, 4L), Map.entry(TcpState.ESTABLISHED, 2L),
                Map.entry(TcpState.TIME_WAIT, 1L));
    }

    @Test
    void parsesCapturedUdpLeavingOutTheConnectedClient() throws IOException {
        NetTable table = parseFixture("udp", Protocol.UDP);

        assertThat(table.bound()).containsExactly(
                new BoundSocket(Protocol.UDP, "127.0.0.1", 5353, 7158),
                new BoundSocket(Protocol.UDP, "0.0.0.0", 5354, 7159));
        assertThat(table.states()).isEmpty();
    }

    @Test
    void parsesCapturedUdp6() throws IOException {
        NetTable table = parseFixture("udp6", Protocol.UDP);

        assertThat(table.bound()).containsExactly(
                new BoundSocket(Protocol.UDP, "::1", 5355, 7161),
                new BoundSocket(Protocol.UDP, "::", 5356, 7162));
    }

    static Stream<Arguments> withoutSockets() {
        return Stream.of(
                arguments("header only", TCP_HEADER + "\n"),
                arguments("no lines at all", ""),
                arguments("header and a blank line", TCP_HEADER + "\n\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("withoutSockets")
    void findsNoSockets(String name, String text) throws IOException {
        NetTable table = parse(text, Protocol.TCP, ByteOrder.LITTLE_ENDIAN);

        assertThat(table.bound()).isEmpty();
        assertThat(table.states()).isEmpty();
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                arguments("truncated line",
                        "   0: 0100007F:15B3 00000000:0000 0A 00000000:00000000",
                        "tcp:2: expected at least 10 fields, found 5: \"0: 0100007F:15B3 00000000:0000 0A 00000000:00000000\""),
                arguments("state not hex",
                        "   0: 0100007F:15B3 00000000:0000 0Z 00000000:00000000 00:00000000 00000000 0 0 7144",
                        "tcp:2: the state is not two hex digits: "
                                + "\"0: 0100007F:15B3 00000000:0000 0Z 00000000:00000000 00:00000000 00000000 0 0 7144\""),
                arguments("state of three digits",
                        "   0: 0100007F:15B3 00000000:0000 00A 00000000:00000000 00:00000000 00000000 0 0 7144",
                        "tcp:2: the state is not two hex digits: "
                                + "\"0: 0100007F:15B3 00000000:0000 00A 00000000:00000000 00:00000000 00000000 0 0 7144\""),
                arguments("address of six digits",
                        "   0: 00007F:15B3 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 7144",
                        "tcp:2: the local address is not 8 or 32 hex digits: "
                                + "\"0: 00007F:15B3 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 7144\""),
                arguments("address not hex",
                        "   0: 0100007G:15B3 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 7144",
                        "tcp:2: the local address is not 8 or 32 hex digits: "
                                + "\"0: 0100007G:15B3 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 7144\""),
                arguments("address without port",
                        "   0: 0100007F 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 7144",
                        "tcp:2: the local address has no port: "
                                + "\"0: 0100007F 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 7144\""),
                arguments("port of five digits",
                        "   0: 0100007F:15B30 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 7144",
                        "tcp:2: the local port is not four hex digits: "
                                + "\"0: 0100007F:15B30 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 7144\""),
                arguments("inode not decimal",
                        "   0: 0100007F:15B3 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 0x1bf0",
                        "tcp:2: the inode is not a decimal number: "
                                + "\"0: 0100007F:15B3 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 0x1bf0\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void rejectsAMalformedLineNamingFileAndLine(String name, String line, String message) {
        assertThatThrownBy(() -> parse(TCP_HEADER + "\n" + line + "\n", Protocol.TCP, ByteOrder.LITTLE_ENDIAN))
                .isInstanceOf(IOException.class)
                .hasMessage(message);
    }

    @Test
    void rejectsAFileWithoutHeader() {
        assertThatThrownBy(() -> parse(LISTENER + "\n", Protocol.TCP, ByteOrder.LITTLE_ENDIAN))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("tcp:1: expected a header starting sl local_address: \"2: 0100007F:15B3");
    }

    @Test
    void neitherCountsNorRejectsAStateItDoesNotKnow() throws IOException {
        String newState = LISTENER.replace(" 0A ", " 0D ");

        NetTable table = parse(TCP_HEADER + "\n" + newState + "\n" + LISTENER + "\n", Protocol.TCP,
                ByteOrder.LITTLE_ENDIAN);

        assertThat(table.states()).containsOnly(Map.entry(TcpState.LISTEN, 1L));
        assertThat(table.bound()).hasSize(1);
    }

    @Test
    void leavesOutUdpSocketsWithoutALocalPort() throws IOException {
        String unbound = "  12: 0100007F:0000 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 7200 2"
                + " 0000000000000000 0";

        NetTable table = parse(TCP_HEADER + " ref pointer drops\n" + unbound + "\n", Protocol.UDP,
                ByteOrder.LITTLE_ENDIAN);

        assertThat(table.bound()).isEmpty();
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
        "0100007F, little, 127.0.0.1",
        "7F000001, big, 127.0.0.1",
        "00000000, little, 0.0.0.0",
        "0101A8C0, little, 192.168.1.1",
        "00000000000000000000000001000000, little, ::1",
        "00000000000000000000000000000001, big, ::1",
        "00000000000000000000000000000000, little, ::",
        "0000000000000000FFFF00000100007F, little, ::ffff:127.0.0.1",
        "00000000000000000000FFFF7F000001, big, ::ffff:127.0.0.1",
        "000000FD000000000000000002000000, little, fd00::2",
        "B80D0120000000000000000001000000, little, 2001:db8::1",
        "20010DB8000000000001000000000001, big, 2001:db8::1:0:0:1",
        "20010DB8000000010001000100010001, big, 2001:db8:0:1:1:1:1:1",
        "FE800000000000000000000000000000, big, fe80::",
        "00010000000000020000000000000003, big, 1:0:0:2::3",
        "00000000000000000000000000010002, big, ::1:2",
        "00000000000000000000000101020304, big, ::1:102:304",
        "00010002000300040005000600070008, big, 1:2:3:4:5:6:7:8",
    })
    void decodesAddressesInTheHostsByteOrderAndWritesThemAsRfc5952Says(String hex, String endian, String address) {
        ByteOrder order = endian.equals("big") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;

        assertThat(PortSampler.address(hex, 0, hex.length(), order)).isEqualTo(address);
    }

    @Test
    void writesTheCapturedTablesAsTheGoldenFileSays() throws IOException {
        process(5381, "python3", 7144, 7145, 7146, 7147, 7151, 7152, 7153, 7154, 7155, 7156, 7157, 7158, 7159, 7160,
                7161, 7162);
        process(77, "sshd"); // holds no socket of the tables
        Files.createDirectories(proc.resolve("self"));

        assertThat(WrittenSeries.lines(sample(new PortSampler(proc, ByteOrder.LITTLE_ENDIAN))))
                .containsExactlyElementsOf(WrittenSeries.golden("golden/ports.txt"));
    }

    @Test
    void aHostWithoutIpv6ReportsItsIpv4Sockets() throws IOException {
        Files.delete(proc.resolve("net/tcp6"));
        Files.delete(proc.resolve("net/udp6"));

        SeriesWriter out = sample(new PortSampler(proc, ByteOrder.LITTLE_ENDIAN));

        assertThat(WrittenSeries.family(out, PortSampler.LISTENING).keySet())
                .extracting(labels -> labels.get("address"))
                .containsExactlyInAnyOrder("0.0.0.0", "0.0.0.0", "127.0.0.1", "127.0.0.1", "0.0.0.0");
        assertThat(WrittenSeries.family(out, PortSampler.CONNECTIONS)).containsEntry(listenState(), 3.0);
    }

    @Test
    void aMissingIpv4TableIsAnError() throws IOException {
        Files.delete(proc.resolve("net/tcp"));
        PortSampler sampler = new PortSampler(proc, ByteOrder.LITTLE_ENDIAN);

        assertThatThrownBy(() -> sampler.sample(new SeriesWriter()))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessage(proc.resolve("net/tcp").toString());
    }

    @Test
    void aMalformedTableFailsTheSampleNamingItsPath() throws IOException {
        Files.writeString(proc.resolve("net/udp6"), TCP_HEADER + "\n   0: 0100007F:15B3\n");
        PortSampler sampler = new PortSampler(proc, ByteOrder.LITTLE_ENDIAN);

        assertThatThrownBy(() -> sampler.sample(new SeriesWriter()))
                .isInstanceOf(IOException.class)
                .hasMessage(proc.resolve("net/udp6") + ":2: expected at least 10 fields, found 2: \"0: 0100007F:15B3\"");
    }

    @Test
    void writesDumpedTablesAsItWritesTheProcOnes() throws IOException {
        process(5381, "python3", 7144, 7145, 7146, 7147, 7151, 7152, 7153, 7154, 7155, 7156, 7157, 7158, 7159, 7160,
                7161, 7162);
        FakeDump dump = new FakeDump()
                .answer(Protocol.TCP, fixtureTable(Protocol.TCP))
                .answer(Protocol.UDP, fixtureTable(Protocol.UDP));
        for (String name : List.of("tcp", "tcp6", "udp", "udp6")) {
            Files.delete(proc.resolve("net").resolve(name)); // the dump alone must do
        }

        assertThat(WrittenSeries.lines(sample(new PortSampler(proc, ByteOrder.LITTLE_ENDIAN, dump))))
                .containsExactlyElementsOf(WrittenSeries.golden("golden/ports.txt"));
    }

    @Test
    void readsAProtocolTheDumpRefusesFromProcFromThenOn() throws IOException {
        FakeDump dump = new FakeDump()
                .answer(Protocol.TCP, new SockDiag.Refused("netlink sock_diag: socket failed with EAFNOSUPPORT"))
                .answer(Protocol.UDP, new NetTable(List.of(new BoundSocket(Protocol.UDP, "10.0.0.1", 9999, 8000)),
                        Map.of()));
        PortSampler sampler = new PortSampler(proc, ByteOrder.LITTLE_ENDIAN, dump);

        sample(sampler);
        SeriesWriter out = sample(sampler);

        assertThat(dump.asked(Protocol.TCP)).isEqualTo(1);
        assertThat(dump.asked(Protocol.UDP)).isEqualTo(2);
        assertThat(WrittenSeries.family(out, PortSampler.LISTENING).keySet())
                .extracting(labels -> labels.get("proto") + " " + labels.get("port"))
                .containsExactlyInAnyOrder("tcp 2024", "tcp 5557", "tcp 5555", "tcp 5559", "tcp 5558", "tcp 5561",
                        "tcp 5560", "udp 9999");
        assertThat(WrittenSeries.family(out, PortSampler.CONNECTIONS)).containsEntry(listenState(), 7.0);
    }

    @Test
    void aDumpThatFailsFailsTheRunAndIsTriedAgainAtTheNext() throws IOException {
        FakeDump dump = new FakeDump()
                .answer(Protocol.TCP, new IOException("netlink sock_diag: recv failed with EAGAIN (errno 11)"))
                .answer(Protocol.TCP, NetTable.EMPTY)
                .answer(Protocol.UDP, NetTable.EMPTY);
        PortSampler sampler = new PortSampler(proc, ByteOrder.LITTLE_ENDIAN, dump);

        assertThatThrownBy(() -> sampler.sample(new SeriesWriter()))
                .hasMessage("netlink sock_diag: recv failed with EAGAIN (errno 11)");
        SeriesWriter out = sample(sampler);

        assertThat(dump.asked(Protocol.TCP)).isEqualTo(2);
        assertThat(WrittenSeries.family(out, PortSampler.LISTENING)).isEmpty();
    }

    @Test
    void aSocketSharedByProcessesBelongsToTheLowestPidOtherThanInit() throws IOException {
        process(1, "systemd", 7144, 7145); // socket activation: init keeps the listeners it handed out
        process(480, "gunicorn", 7145);
        process(5381, "python3", 7144);
        process(5390, "gunicorn", 7145); // a worker sharing its master's listener

        SeriesWriter out = sample(new PortSampler(proc, ByteOrder.LITTLE_ENDIAN));

        assertThat(listener(out, "127.0.0.1", "5555")).isEqualTo(owner("python3"));
        assertThat(listener(out, "0.0.0.0", "5557")).isEqualTo(owner("gunicorn"));
    }

    @Test
    void thePortCheckStillLearnsTheHolderPid() throws IOException {
        process(1, "systemd", 7144, 7145);
        process(480, "gunicorn", 7145);
        process(5390, "gunicorn", 7145);

        List<ListeningSockets.Listener> listeners = new PortSampler(proc, ByteOrder.LITTLE_ENDIAN)
                .listeners(Protocol.TCP);

        assertThat(listeners).filteredOn(l -> l.port() == 5557).extracting(ListeningSockets.Listener::pid)
                .containsExactly(480L);
        assertThat(listeners).filteredOn(l -> l.port() == 5555).extracting(ListeningSockets.Listener::pid)
                .containsExactly(1L);
    }

    @Test
    void socketsOfOneProcessNameOnOnePortCountInOneSeries() throws IOException {
        Files.writeString(proc.resolve("net/tcp"), LISTENER.replace("7144", "9002") + "\n", APPEND);
        process(5381, "python3", 7144);
        process(5382, "python3", 9002); // a restarted or SO_REUSEPORT worker: no new series per pid

        SeriesWriter out = sample(new PortSampler(proc, ByteOrder.LITTLE_ENDIAN));

        assertThat(WrittenSeries.family(out, PortSampler.LISTENING)).containsEntry(LabelSet.of("proto", "tcp",
                "address", "127.0.0.1", "port", "5555", "process", "python3"), 2.0);
    }

    @Test
    void aSocketOnlyInitHoldsBelongsToInit() throws IOException {
        process(1, "systemd", 7144);

        SeriesWriter out = sample(new PortSampler(proc, ByteOrder.LITTLE_ENDIAN));

        assertThat(listener(out, "127.0.0.1", "5555")).isEqualTo(owner("systemd"));
    }

    @Test
    void doesNotRescanProcessesWhileNoNewSocketListens() throws IOException {
        process(5381, "python3", 7144, 7145);
        PortSampler sampler = new PortSampler(proc, ByteOrder.LITTLE_ENDIAN);
        assertThat(listener(sample(sampler), "0.0.0.0", "2024")).isEqualTo(owner(""));

        process(900, "late", 1145); // a scan would now find 2024's owner: the sampler must not have looked

        SeriesWriter out = sample(sampler);
        assertThat(listener(out, "0.0.0.0", "2024")).isEqualTo(owner(""));
        assertThat(listener(out, "127.0.0.1", "5555")).isEqualTo(owner("python3"));
    }

    @Test
    void rescansWhenANewSocketListens() throws IOException {
        process(5381, "python3", 7144, 7145);
        PortSampler sampler = new PortSampler(proc, ByteOrder.LITTLE_ENDIAN);
        sample(sampler);
        process(900, "late", 1145);
        process(950, "newcomer", 9001);

        Files.writeString(proc.resolve("net/tcp"), LISTENER.replace("15B3", "1F90").replace("7144", "9001") + "\n",
                APPEND);

        SeriesWriter out = sample(sampler);
        assertThat(listener(out, "127.0.0.1", "8080")).isEqualTo(owner("newcomer"));
        assertThat(listener(out, "0.0.0.0", "2024")).isEqualTo(owner("late"));
    }

    @Test
    void rescansWhenTheRememberedHolderNoLongerHoldsTheSocket() throws IOException {
        process(5381, "python3", 7144);
        PortSampler sampler = new PortSampler(proc, ByteOrder.LITTLE_ENDIAN);
        assertThat(listener(sample(sampler), "127.0.0.1", "5555")).isEqualTo(owner("python3"));

        // A daemon that binds, forks and exits: the child inherits the listener.
        process(5400, "python3-child", 7144);
        deleteProcess(5381);

        assertThat(listener(sample(sampler), "127.0.0.1", "5555")).isEqualTo(owner("python3-child"));
    }

    @Test
    void forgetsSocketsThatNoLongerListen() throws IOException {
        process(5381, "python3", 7144, 7145);
        SocketOwners owners = new SocketOwners(proc);
        assertThat(owners.resolve(Set.of(7144L, 7145L, 1145L))).containsOnlyKeys(7144L, 7145L);

        Map<Long, Owner> after = owners.resolve(Set.of(7145L));

        assertThat(after).containsOnlyKeys(7145L);
        assertThat(after.get(7145L)).isEqualTo(new Owner(5381, "python3", "4"));
    }

    @Test
    void readsOnlySocketLinks() throws IOException {
        Files.createDirectories(temp.resolve("fd"));
        Files.createSymbolicLink(temp.resolve("fd/3"), Path.of("socket:[7144]"));
        Files.createSymbolicLink(temp.resolve("fd/4"), Path.of("pipe:[7144]"));
        Files.createSymbolicLink(temp.resolve("fd/5"), Path.of("socket:[]"));
        Files.createFile(temp.resolve("fd/6"));

        assertThat(SocketOwners.socketInode(temp.resolve("fd/3"))).isEqualTo(7144);
        assertThat(SocketOwners.socketInode(temp.resolve("fd/4"))).isEqualTo(-1);
        assertThat(SocketOwners.socketInode(temp.resolve("fd/5"))).isEqualTo(-1);
        assertThat(SocketOwners.socketInode(temp.resolve("fd/6"))).isEqualTo(-1);
        assertThat(SocketOwners.socketInode(temp.resolve("fd/7"))).isEqualTo(-1);
    }

    @ParameterizedTest(name = "tick {0}s -> every {1}s")
    @CsvSource({"1, 2", "5, 10", "30, 60"})
    void runsEveryOtherTick(long tickSeconds, long periodSeconds) {
        PortSampler sampler = PortSampler.forHost();

        assertThat(sampler.name()).isEqualTo("ports");
        assertThat(sampler.defaultPeriod(Duration.ofSeconds(tickSeconds))).isEqualTo(Duration.ofSeconds(periodSeconds));
    }

    /** The fixture's tables of a protocol merged, as one dump over both families answers. */
    private static NetTable fixtureTable(Protocol protocol) throws IOException {
        String name = protocol.label();
        NetTable v4 = parseFixture(name, protocol);
        NetTable v6 = parseFixture(name + "6", protocol);
        List<BoundSocket> bound = new ArrayList<>(v4.bound());
        bound.addAll(v6.bound());
        Map<TcpState, Long> states = new EnumMap<>(TcpState.class);
        states.putAll(v4.states());
        v6.states().forEach((state, count) -> states.merge(state, count, Long::sum));
        return new NetTable(bound, states);
    }

    /** Answers each protocol in turn with what it was given, the last answer again and again, and counts the asks. */
    private static final class FakeDump implements PortSampler.SocketDump {
        private final Map<Protocol, List<Object>> answers = new EnumMap<>(Protocol.class);
        private final Map<Protocol, Integer> asked = new EnumMap<>(Protocol.class);

        /** @param answer a NetTable to return or an IOException to throw */
        FakeDump answer(Protocol protocol, Object answer) {
            answers.computeIfAbsent(protocol, key -> new ArrayList<>()).add(answer);
            return this;
        }

        int asked(Protocol protocol) {
            return asked.getOrDefault(protocol, 0);
        }

        @Override
        public NetTable dump(Protocol protocol) throws IOException {
            int count = asked.merge(protocol, 1, Integer::sum);
            List<Object> given = answers.get(protocol);
            Object answer = given.get(Math.min(count, given.size()) - 1);
            if (answer instanceof IOException failure) {
                throw failure;
            }
            return (NetTable) answer;
        }
    }

    private static NetTable parseFixture(String name, Protocol protocol) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(WrittenSeries.fixture("proc/net/" + name))) {
            return PortSampler.parse(name, protocol, ByteOrder.LITTLE_ENDIAN, reader);
        }
    }

    private static NetTable parse(String text, Protocol protocol, ByteOrder order) throws IOException {
        return PortSampler.parse(protocol == Protocol.TCP ? "tcp" : "udp", protocol, order,
                new BufferedReader(new StringReader(text)));
    }

    private static SeriesWriter sample(PortSampler sampler) throws IOException {
        SeriesWriter out = new SeriesWriter();
        sampler.sample(out);
        return out;
    }

    /** The process label of the listener on address and port, and that it has no pid label. */
    private static List<String> listener(SeriesWriter out, String address, String port) {
        return WrittenSeries.family(out, PortSampler.LISTENING).keySet().stream()
                .filter(labels -> address.equals(labels.get("address")) && port.equals(labels.get("port")))
                .map(labels -> java.util.Arrays.asList(labels.get("process"), labels.get("pid")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no listener on " + address + ":" + port));
    }

    /** A listener's labels as the sampler writes them: its process, and no pid (which a restart changes). */
    private static List<String> owner(String process) {
        return java.util.Arrays.asList(process, null);
    }

    private static LabelSet listenState() {
        return LabelSet.of("state", "listen");
    }

    /** A process directory as the kernel shows it: comm, and fd links to an eventfd, a pipe and the given sockets. */
    private void process(long pid, String comm, long... socketInodes) throws IOException {
        Path directory = proc.resolve(Long.toString(pid));
        Files.createDirectories(directory.resolve("fd"));
        Files.writeString(directory.resolve("comm"), comm + "\n");
        Files.createSymbolicLink(directory.resolve("fd/0"), Path.of("anon_inode:[eventfd]"));
        Files.createSymbolicLink(directory.resolve("fd/1"), Path.of("pipe:[4242]"));
        int fd = 3;
        for (long inode : socketInodes) {
            Files.createSymbolicLink(directory.resolve("fd").resolve(Integer.toString(fd++)),
                    Path.of("socket:[" + inode + "]"));
        }
    }

    private void deleteProcess(long pid) throws IOException {
        Path directory = proc.resolve(Long.toString(pid));
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted((a, b) -> b.compareTo(a)).toList()) {
                Files.delete(file);
            }
        }
    }
}
