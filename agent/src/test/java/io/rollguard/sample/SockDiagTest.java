package io.rollguard.sample;

import static io.rollguard.sample.SockDiag.AF_INET;
import static io.rollguard.sample.SockDiag.AF_INET6;
import static io.rollguard.sample.SockDiag.NLMSG_DONE;
import static io.rollguard.sample.SockDiag.NLMSG_ERROR;
import static io.rollguard.sample.SockDiag.SOCK_DIAG_BY_FAMILY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.unix.LibCAPI.size_t;
import com.sun.jna.platform.unix.LibCAPI.ssize_t;
import io.rollguard.sample.PortSampler.BoundSocket;
import io.rollguard.sample.PortSampler.NetTable;
import io.rollguard.sample.PortSampler.Protocol;
import io.rollguard.sample.PortSampler.TcpState;
import io.rollguard.sample.SockDiag.Tally;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Netlink messages built as the kernel lays them out: host byte order, but ports and addresses in network order. */
class SockDiagTest {
    private static final int SEQUENCE = 7;
    private static final byte[] LOOPBACK = {127, 0, 0, 1};
    private static final byte[] ANY = {0, 0, 0, 0};
    private static final byte[] MAPPED_LOOPBACK =
            {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 1};
    private static final byte[] IPV6_LOOPBACK = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    @Test
    void countsTcpSocketsByStateAndListsTheListenersOfBothFamilies() throws IOException {
        Tally tally = new Tally(Protocol.TCP);

        boolean done = SockDiag.parse(chunk(
                socket(AF_INET, TcpState.LISTEN, 5555, LOOPBACK, 7144),
                socket(AF_INET, TcpState.ESTABLISHED, 5555, LOOPBACK, 7151),
                socket(AF_INET, TcpState.TIME_WAIT, 35694, LOOPBACK, 0),
                socket(AF_INET6, TcpState.LISTEN, 5560, MAPPED_LOOPBACK, 7154),
                socket(AF_INET6, TcpState.ESTABLISHED, 48800, IPV6_LOOPBACK, 7160),
                done(0)), SEQUENCE, tally);

        assertThat(done).isTrue();
        NetTable table = tally.table();
        assertThat(table.bound()).containsExactly(
                new BoundSocket(Protocol.TCP, "127.0.0.1", 5555, 7144),
                new BoundSocket(Protocol.TCP, "::ffff:127.0.0.1", 5560, 7154));
        assertThat(table.states()).containsOnly(Map.entry(TcpState.LISTEN, 2L),
                Map.entry(TcpState.ESTABLISHED, 2L), Map.entry(TcpState.TIME_WAIT, 1L));
    }

    @Test
    void listsUnconnectedUdpSocketsWithAPortAndCountsNoStates() throws IOException {
        Tally tally = new Tally(Protocol.UDP);

        SockDiag.parse(chunk(
                socket(AF_INET, TcpState.CLOSE, 5353, LOOPBACK, 7158),
                socket(AF_INET, TcpState.CLOSE, 0, LOOPBACK, 7200),
                socket(AF_INET, TcpState.ESTABLISHED, 50647, LOOPBACK, 7160),
                socket(AF_INET6, TcpState.CLOSE, 5356, new byte[16], 7162),
                done(0)), SEQUENCE, tally);

        assertThat(tally.table().bound()).containsExactly(
                new BoundSocket(Protocol.UDP, "127.0.0.1", 5353, 7158),
                new BoundSocket(Protocol.UDP, "::", 5356, 7162));
        assertThat(tally.table().states()).isEmpty();
    }

    @Test
    void aDumpGoesOnUntilItsDoneMessage() throws IOException {
        Tally tally = new Tally(Protocol.TCP);

        assertThat(SockDiag.parse(chunk(socket(AF_INET, TcpState.LISTEN, 2024, ANY, 1145)), SEQUENCE, tally))
                .isFalse();
        assertThat(SockDiag.parse(chunk(socket(AF_INET, TcpState.LISTEN, 5557, ANY, 7145), done(0)), SEQUENCE,
                tally)).isTrue();

        assertThat(tally.table().bound()).extracting(BoundSocket::port).containsExactly(2024, 5557);
    }

    @Test
    void neitherCountsNorListsAStateItDoesNotKnow() throws IOException {
        Tally tally = new Tally(Protocol.TCP);
        byte[] boundInactive = socket(AF_INET, TcpState.LISTEN, 8080, ANY, 9000);
        boundInactive[SockDiag.NLMSG_HEADER_BYTES + 1] = 13; // TCP_BOUND_INACTIVE, Linux 6.8

        SockDiag.parse(chunk(boundInactive, done(0)), SEQUENCE, tally);

        assertThat(tally.table().bound()).isEmpty();
        assertThat(tally.table().states()).isEmpty();
    }

    static Stream<Arguments> kernelErrors() {
        return Stream.of(
                arguments("no udp_diag module", message(NLMSG_ERROR, error(2)), true,
                        "netlink sock_diag: request failed with ENOENT (errno 2)"),
                arguments("forbidden", message(NLMSG_ERROR, error(1)), true,
                        "netlink sock_diag: request failed with EPERM (errno 1)"),
                arguments("no SOCK_DIAG_BY_FAMILY", message(NLMSG_ERROR, error(22)), true,
                        "netlink sock_diag: request failed with EINVAL (errno 22)"),
                arguments("out of memory", message(NLMSG_ERROR, error(12)), false,
                        "netlink sock_diag: request failed with ENOMEM (errno 12)"),
                arguments("an errno without a name here", message(NLMSG_ERROR, error(133)), false,
                        "netlink sock_diag: request failed with an error (errno 133)"),
                arguments("a dump that ended in an error", done(-105), false,
                        "netlink sock_diag: dump failed with ENOBUFS (errno 105)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernelErrors")
    void reportsTheKernelsErrorAsRefusedWhenItWillNotChange(String name, byte[] answer, boolean refused,
            String text) {
        assertThatThrownBy(() -> SockDiag.parse(chunk(answer), SEQUENCE, new Tally(Protocol.UDP)))
                .isInstanceOf(IOException.class)
                .hasMessage(text)
                .matches(e -> (e instanceof SockDiag.Refused) == refused, refused ? "Refused" : "not Refused");
    }

    @Test
    void anAcknowledgementIsNoError() throws IOException {
        assertThat(SockDiag.parse(chunk(message(NLMSG_ERROR, error(0)), done(0)), SEQUENCE, new Tally(Protocol.TCP)))
                .isTrue();
    }

    static Stream<Arguments> malformed() {
        byte[] tooLong = socket(AF_INET, TcpState.LISTEN, 80, ANY, 1);
        ByteBuffer.wrap(tooLong).order(ByteOrder.nativeOrder()).putInt(0, tooLong.length + 4);
        byte[] tooShort = socket(AF_INET, TcpState.LISTEN, 80, ANY, 1);
        ByteBuffer.wrap(tooShort).order(ByteOrder.nativeOrder()).putInt(0, 8);
        byte[] otherRequest = socket(AF_INET, TcpState.LISTEN, 80, ANY, 1);
        ByteBuffer.wrap(otherRequest).order(ByteOrder.nativeOrder()).putInt(8, SEQUENCE + 1);
        byte[] otherFamily = socket(AF_INET, TcpState.LISTEN, 80, ANY, 1);
        otherFamily[SockDiag.NLMSG_HEADER_BYTES] = 1; // AF_UNIX
        return Stream.of(
                arguments("a length past the datagram", tooLong,
                        "netlink sock_diag: a message of 92 bytes where 88 remain"),
                arguments("a length shorter than a header", tooShort,
                        "netlink sock_diag: a message of 8 bytes where 88 remain"),
                arguments("an answer to another request", otherRequest,
                        "netlink sock_diag: an answer to request 8 while reading request 7"),
                arguments("a socket message cut short", message(SOCK_DIAG_BY_FAMILY, new byte[40]),
                        "netlink sock_diag: an inet_diag_msg of 40 bytes"),
                arguments("a socket of another family", otherFamily,
                        "netlink sock_diag: a socket of address family 1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void rejectsMessagesTheKernelDoesNotWrite(String name, byte[] message, String text) {
        assertThatThrownBy(() -> SockDiag.parse(chunk(message), SEQUENCE, new Tally(Protocol.TCP)))
                .isExactlyInstanceOf(IOException.class)
                .hasMessage(text);
    }

    @Test
    void asksForEveryTcpStateOrForUnconnectedUdpSockets() {
        ByteBuffer tcp = ByteBuffer.wrap(SockDiag.request(AF_INET6, Protocol.TCP, 3)).order(ByteOrder.nativeOrder());
        ByteBuffer udp = ByteBuffer.wrap(SockDiag.request(AF_INET, Protocol.UDP, 4)).order(ByteOrder.nativeOrder());

        assertThat(tcp.capacity()).isEqualTo(72);
        assertThat(tcp.getInt(0)).isEqualTo(72);
        assertThat(tcp.getShort(4)).isEqualTo((short) SOCK_DIAG_BY_FAMILY);
        assertThat(tcp.getShort(6)).isEqualTo((short) 0x301); // NLM_F_REQUEST | NLM_F_DUMP
        assertThat(tcp.getInt(8)).isEqualTo(3);
        assertThat(tcp.get(16)).isEqualTo((byte) AF_INET6);
        assertThat(tcp.get(17)).isEqualTo((byte) 6);
        assertThat(tcp.getInt(20)).isEqualTo(0b1111_1111_1110);
        assertThat(udp.get(16)).isEqualTo((byte) AF_INET);
        assertThat(udp.get(17)).isEqualTo((byte) 17);
        assertThat(udp.getInt(20)).isEqualTo(1 << 7);
    }

    @Test
    void aSocketTheSandboxRefusesSaysWhichSettingRefusesIt() {
        FakeKernel kernel = new FakeKernel();
        kernel.socketErrno = 97;

        assertThatThrownBy(() -> new SockDiag(kernel).dump(Protocol.TCP))
                .isInstanceOf(SockDiag.Refused.class)
                .hasMessage("netlink sock_diag: socket failed with EAFNOSUPPORT (errno 97), as under a unit whose "
                        + "RestrictAddressFamilies= lacks AF_NETLINK");
        assertThat(kernel.closed).isEmpty();
    }

    @Test
    void asksBothFamiliesOnOneSocketAndClosesIt() throws IOException {
        FakeKernel kernel = new FakeKernel();
        kernel.reply = (family, sequence) -> family == AF_INET
                ? chunk(socket(AF_INET, TcpState.LISTEN, 22, ANY, 100, sequence), done(0, sequence))
                : chunk(socket(AF_INET6, TcpState.LISTEN, 22, new byte[16], 101, sequence), done(0, sequence));

        NetTable table = new SockDiag(kernel).dump(Protocol.TCP);

        assertThat(table.bound()).containsExactly(new BoundSocket(Protocol.TCP, "0.0.0.0", 22, 100),
                new BoundSocket(Protocol.TCP, "::", 22, 101));
        assertThat(kernel.families).containsExactly(AF_INET, AF_INET6);
        assertThat(kernel.closed).containsExactly(FakeKernel.SOCKET);
    }

    static Stream<Arguments> failedDumps() {
        return Stream.of(
                arguments("refused", (FakeKernel.Reply) (family, sequence) ->
                        chunk(message(NLMSG_ERROR, sequence, error(2))), SockDiag.Refused.class),
                arguments("failed", (FakeKernel.Reply) (family, sequence) -> null, IOException.class));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failedDumps")
    void closesItsSocketWhenADumpFails(String name, FakeKernel.Reply reply, Class<? extends IOException> type) {
        FakeKernel kernel = new FakeKernel();
        kernel.reply = reply;

        assertThatThrownBy(() -> new SockDiag(kernel).dump(Protocol.UDP)).isExactlyInstanceOf(type);
        assertThat(kernel.closed).containsExactly(FakeKernel.SOCKET);
    }

    /**
     * The C library as the kernel would answer it: one socket, the reply of each request in a single datagram, and
     * EAGAIN where there is no reply.
     */
    static final class FakeKernel implements SockDiag.Libc {
        static final int SOCKET = 42;

        /** The datagram answering a request, or null for none. */
        interface Reply {
            ByteBuffer answer(int family, int sequence);
        }

        int socketErrno;
        Reply reply = (family, sequence) -> chunk(done(0, sequence));
        final List<Integer> families = new ArrayList<>();
        final List<Integer> closed = new ArrayList<>();
        private ByteBuffer pending;

        @Override
        public int socket(int domain, int type, int protocol) {
            if (socketErrno != 0) {
                Native.setLastError(socketErrno);
                return -1;
            }
            return SOCKET;
        }

        @Override
        public ssize_t sendto(int socket, byte[] buffer, size_t length, int flags, byte[] address, int addressLength) {
            ByteBuffer request = ByteBuffer.wrap(buffer).order(ByteOrder.nativeOrder());
            families.add((int) request.get(SockDiag.NLMSG_HEADER_BYTES));
            pending = reply.answer(request.get(SockDiag.NLMSG_HEADER_BYTES), request.getInt(8));
            return new ssize_t(length.longValue());
        }

        @Override
        public ssize_t recv(int socket, Pointer buffer, size_t length, int flags) {
            if (pending == null) {
                Native.setLastError(11); // EAGAIN
                return new ssize_t(-1);
            }
            int size = pending.remaining();
            buffer.write(0, pending.array(), pending.position(), size);
            pending = null;
            return new ssize_t(size);
        }

        @Override
        public int close(int fd) {
            closed.add(fd);
            return 0;
        }
    }

    /** One datagram holding the messages, as recv fills the buffer. */
    private static ByteBuffer chunk(byte[]... messages) {
        ByteBuffer buffer = ByteBuffer.allocate(4096).order(ByteOrder.nativeOrder());
        for (byte[] message : messages) {
            buffer.put(message);
        }
        return buffer.flip();
    }

    /** An nlmsghdr and its payload, padded to four bytes. */
    private static byte[] message(int type, byte[] payload) {
        return message(type, SEQUENCE, payload);
    }

    private static byte[] message(int type, int sequence, byte[] payload) {
        int length = SockDiag.NLMSG_HEADER_BYTES + payload.length;
        ByteBuffer message = ByteBuffer.allocate((length + 3) & ~3).order(ByteOrder.nativeOrder());
        message.putInt(length).putShort((short) type).putShort((short) 2).putInt(sequence).putInt(4242).put(payload);
        return message.array();
    }

    /** A struct inet_diag_msg. */
    private static byte[] socket(int family, TcpState state, int port, byte[] address, long inode) {
        return socket(family, state, port, address, inode, SEQUENCE);
    }

    private static byte[] socket(int family, TcpState state, int port, byte[] address, long inode, int sequence) {
        ByteBuffer message = ByteBuffer.allocate(SockDiag.INET_DIAG_MSG_BYTES).order(ByteOrder.nativeOrder());
        message.put((byte) family).put((byte) state.code()).put((byte) 0).put((byte) 0);
        message.put((byte) (port >>> 8)).put((byte) port).putShort((short) 0);
        message.put(address);
        message.putInt(68, (int) inode);
        return message(SOCK_DIAG_BY_FAMILY, sequence, message.array());
    }

    /** NLMSG_DONE, whose payload is the dump's outcome: 0 or a negative errno. */
    private static byte[] done(int outcome) {
        return done(outcome, SEQUENCE);
    }

    private static byte[] done(int outcome, int sequence) {
        return message(NLMSG_DONE, sequence,
                ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(outcome).array());
    }

    /** The payload of NLMSG_ERROR: a negative errno (0 acknowledges) and the header of the request. */
    private static byte[] error(int errno) {
        return ByteBuffer.allocate(4 + SockDiag.NLMSG_HEADER_BYTES).order(ByteOrder.nativeOrder()).putInt(-errno)
                .array();
    }
}
