package io.rollguard.sample;

import static java.util.Objects.requireNonNull;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.linux.ErrNo;
import com.sun.jna.platform.unix.LibCAPI.size_t;
import com.sun.jna.platform.unix.LibCAPI.ssize_t;
import io.rollguard.sample.PortSampler.BoundSocket;
import io.rollguard.sample.PortSampler.NetTable;
import io.rollguard.sample.PortSampler.Protocol;
import io.rollguard.sample.PortSampler.TcpState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The kernel's socket tables read as {@code ss} reads them: {@code SOCK_DIAG_BY_FAMILY} dumps over a
 * {@code NETLINK_SOCK_DIAG} socket, one per address family. Every read() of {@code /proc/net/tcp} walks the whole
 * established-connection hash (262,144 buckets on a host with 24 GiB of memory), and reading the file to its end
 * takes two reads; a dump walks it once, and not at all when it asks for listeners alone. The answer is the same
 * tables that {@link PortSampler#parse} makes of the /proc text.
 *
 * <p>Each {@link #dump(Protocol)} opens one socket for the dumps of both families and closes it before returning.
 * Not thread-safe: one sampler owns it, and it keeps one receive buffer for its lifetime.
 */
final class SockDiag implements PortSampler.SocketDump {
    /** A dump the kernel or a sandbox refuses, and will go on refusing: reading /proc instead is the only way. */
    static final class Refused extends IOException {
        Refused(String message) {
            super(message);
        }
    }

    /** The C library's socket calls; jna-platform's {@code LibC} maps {@code close} but none of the others. */
    interface Libc extends Library {
        int socket(int domain, int type, int protocol);

        ssize_t sendto(int socket, byte[] buffer, size_t length, int flags, byte[] address, int addressLength);

        ssize_t recv(int socket, Pointer buffer, size_t length, int flags);

        int close(int fd);
    }

    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    private static final int AF_NETLINK = 16;
    /** SOCK_RAW rather than SOCK_DGRAM because its value is the same on every Linux architecture. */
    private static final int SOCK_RAW = 3;
    /** O_CLOEXEC of x86, arm, riscv, ppc and s390: a rollback script the agent starts must not inherit the socket. */
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int NETLINK_SOCK_DIAG = 4;

    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int SOCK_DIAG_BY_FAMILY = 20;
    private static final int NLM_F_REQUEST = 0x1;
    private static final int NLM_F_DUMP = 0x300;
    private static final int MSG_TRUNC = 0x20;
    /** The kernel queues the next part of a dump before recv returns, so an empty queue is an error, not a wait. */
    private static final int MSG_DONTWAIT = 0x40;

    static final int NLMSG_HEADER_BYTES = 16;
    private static final int REQUEST_BYTES = NLMSG_HEADER_BYTES + 56; // + struct inet_diag_req_v2
    static final int INET_DIAG_MSG_BYTES = 72;
    /** The kernel never builds a dump message larger than 32 KiB, whatever the receiver offers. */
    private static final int BUFFER_BYTES = 32 * 1024;

    /**
     * TCP: every state of {@code include/net/tcp_states.h} from ESTABLISHED (1) to CLOSING (11), listeners included;
     * asking for SYN_RECV brings the request sockets too, as /proc/net/tcp lists them. Left out: bound sockets that
     * neither listen nor connect (TCP_BOUND_INACTIVE), which /proc/net/tcp does not list either.
     *
     * <p>Any state but LISTEN makes the kernel walk the established hash, once per family: 1.3 ms a walk for 262,144
     * buckets on a 2-core host, nine tenths of the sampler's cost, where listeners alone take 0.03 ms. Cheap totals
     * ({@code /proc/net/sockstat}, CurrEstab of {@code /proc/net/snmp}) with a full count every Nth run would save
     * that, but they have no count per state, so most state series would lag N runs behind; with the whole tick of
     * host samplers at a third of its 10 ms budget, an exact count every run was kept.
     */
    static final int TCP_STATES = 0xffe;
    /** UDP: only sockets in TCP_CLOSE, the unconnected ones; a connected UDP socket is a client, not a service. */
    static final int UDP_STATES = 1 << TcpState.CLOSE.code();

    /** socket() errors where sock_diag is missing or forbidden: RestrictAddressFamilies= gives EAFNOSUPPORT. */
    private static final Set<Integer> REFUSED_SOCKET = Set.of(ErrNo.EPERM, ErrNo.EACCES, ErrNo.EAFNOSUPPORT,
            ErrNo.EPROTONOSUPPORT, ErrNo.ESOCKTNOSUPPORT, ErrNo.EINVAL);
    /** Dump errors of a kernel without the diag module of a protocol (ENOENT) or without SOCK_DIAG_BY_FAMILY. */
    private static final Set<Integer> REFUSED_DUMP = Set.of(ErrNo.EPERM, ErrNo.EACCES, ErrNo.ENOENT,
            ErrNo.EOPNOTSUPP, ErrNo.EPROTONOSUPPORT, ErrNo.EINVAL, ErrNo.ECONNREFUSED);
    /** The names of the errors above and of the usual others, for a message an operator can search for. */
    private static final Map<Integer, String> ERRNO_NAMES = Map.ofEntries(Map.entry(ErrNo.EPERM, "EPERM"),
            Map.entry(ErrNo.ENOENT, "ENOENT"), Map.entry(ErrNo.EINTR, "EINTR"), Map.entry(ErrNo.EAGAIN, "EAGAIN"),
            Map.entry(ErrNo.ENOMEM, "ENOMEM"), Map.entry(ErrNo.EACCES, "EACCES"), Map.entry(ErrNo.EINVAL, "EINVAL"),
            Map.entry(ErrNo.ENFILE, "ENFILE"), Map.entry(ErrNo.EMFILE, "EMFILE"),
            Map.entry(ErrNo.EPROTONOSUPPORT, "EPROTONOSUPPORT"), Map.entry(ErrNo.ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT"),
            Map.entry(ErrNo.EOPNOTSUPP, "EOPNOTSUPP"), Map.entry(ErrNo.EAFNOSUPPORT, "EAFNOSUPPORT"),
            Map.entry(ErrNo.ENOBUFS, "ENOBUFS"), Map.entry(ErrNo.ECONNREFUSED, "ECONNREFUSED"));

    private final Libc libc;
    private final Memory buffer = new Memory(BUFFER_BYTES);
    private final ByteBuffer view = buffer.getByteBuffer(0, BUFFER_BYTES).order(ByteOrder.nativeOrder());
    private int sequence;

    SockDiag(Libc libc) {
        this.libc = requireNonNull(libc, "libc");
    }

    /** Over this host's C library. */
    static SockDiag forHost() {
        return new SockDiag(Native.load("c", Libc.class));
    }

    /** The bound sockets and, for TCP, the sockets by state, over IPv4 and IPv6. */
    @Override
    public NetTable dump(Protocol protocol) throws IOException {
        int socket = libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
        if (socket < 0) {
            int errno = Native.getLastError();
            IOException failure = failure("socket", errno, REFUSED_SOCKET);
            if (errno == ErrNo.EAFNOSUPPORT) {
                // Every kernel has netlink: this is a seccomp filter saying no, most likely systemd's.
                throw new Refused(failure.getMessage() + ", as under a unit whose RestrictAddressFamilies= lacks "
                        + "AF_NETLINK");
            }
            throw failure;
        }
        try {
            Tally tally = new Tally(protocol);
            dump(socket, AF_INET, protocol, tally);
            dump(socket, AF_INET6, protocol, tally);
            return tally.table();
        } finally {
            libc.close(socket);
        }
    }

    private void dump(int socket, int family, Protocol protocol, Tally tally) throws IOException {
        int request = ++sequence;
        byte[] message = request(family, protocol, request);
        // struct sockaddr_nl of the kernel: family AF_NETLINK, port id 0, no groups
        byte[] kernel = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder()).putShort((short) AF_NETLINK).array();
        if (libc.sendto(socket, message, new size_t(message.length), 0, kernel, kernel.length).longValue() < 0) {
            throw failure("sendto", Native.getLastError(), REFUSED_DUMP);
        }
        while (true) {
            long received = libc.recv(socket, buffer, new size_t(BUFFER_BYTES), MSG_DONTWAIT | MSG_TRUNC).longValue();
            if (received < 0) {
                int errno = Native.getLastError();
                if (errno == ErrNo.EINTR) {
                    continue;
                }
                throw failure("recv", errno, Set.of());
            }
            if (received == 0 || received > BUFFER_BYTES) {
                throw new IOException("netlink sock_diag: recv returned " + received + " bytes for a buffer of "
                        + BUFFER_BYTES);
            }
            view.clear().limit((int) received);
            if (parse(view, request, tally)) {
                return;
            }
        }
    }

    /** An {@code nlmsghdr} and {@code inet_diag_req_v2} asking for the sockets of {@code protocol} in a family. */
    static byte[] request(int family, Protocol protocol, int sequence) {
        ByteBuffer request = ByteBuffer.allocate(REQUEST_BYTES).order(ByteOrder.nativeOrder());
        request.putInt(REQUEST_BYTES)
                .putShort((short) SOCK_DIAG_BY_FAMILY)
                .putShort((short) (NLM_F_REQUEST | NLM_F_DUMP))
                .putInt(sequence)
                .putInt(0); // port id: the kernel fills in ours
        request.put((byte) family)
                .put((byte) (protocol == Protocol.TCP ? 6 : 17)) // IPPROTO_TCP, IPPROTO_UDP
                .put((byte) 0) // idiag_ext: no extensions, the bare inet_diag_msg is all the sampler needs
                .put((byte) 0)
                .putInt(protocol == Protocol.TCP ? TCP_STATES : UDP_STATES);
        // struct inet_diag_sockid left zero: every port, address and interface
        return request.array();
    }

    /**
     * Adds the sockets of one received datagram, which holds one or more netlink messages, to {@code tally}.
     *
     * @param chunk the datagram between its position and its limit, in the host's byte order
     * @param sequence the sequence number of the request the messages must answer
     * @return whether the dump is complete (NLMSG_DONE)
     * @throws Refused when the kernel answers that it cannot dump this protocol or family
     * @throws IOException when the kernel reports another error, or a message is cut short
     */
    static boolean parse(ByteBuffer chunk, int sequence, Tally tally) throws IOException {
        int at = chunk.position();
        int end = chunk.limit();
        while (end - at >= NLMSG_HEADER_BYTES) {
            int length = chunk.getInt(at);
            int type = chunk.getShort(at + 4) & 0xffff;
            if (length < NLMSG_HEADER_BYTES || length > end - at) {
                throw new IOException("netlink sock_diag: a message of " + length + " bytes where " + (end - at)
                        + " remain");
            }
            if (chunk.getInt(at + 8) != sequence) {
                throw new IOException("netlink sock_diag: an answer to request " + chunk.getInt(at + 8)
                        + " while reading request " + sequence);
            }
            int payload = at + NLMSG_HEADER_BYTES;
            int payloadLength = length - NLMSG_HEADER_BYTES;
            if (type == NLMSG_DONE || type == NLMSG_ERROR) {
                int error = payloadLength >= 4 ? chunk.getInt(payload) : 0;
                if (error < 0) {
                    throw failure(type == NLMSG_DONE ? "dump" : "request", -error, REFUSED_DUMP);
                }
                if (type == NLMSG_DONE) {
                    return true;
                }
            } else if (type == SOCK_DIAG_BY_FAMILY) {
                if (payloadLength < INET_DIAG_MSG_BYTES) {
                    throw new IOException("netlink sock_diag: an inet_diag_msg of " + payloadLength + " bytes");
                }
                tally.add(chunk, payload);
            }
            at += (length + 3) & ~3; // NLMSG_ALIGN
        }
        return false;
    }

    /** {@code netlink sock_diag: socket failed with EAFNOSUPPORT (errno 97)}: a Refused where errno says so. */
    private static IOException failure(String call, int errno, Set<Integer> refusing) {
        String message = "netlink sock_diag: " + call + " failed with "
                + ERRNO_NAMES.getOrDefault(errno, "an error") + " (errno " + errno + ")";
        return refusing.contains(errno) ? new Refused(message) : new IOException(message);
    }

    /** The sockets of one protocol as the dumps of its families come in. */
    static final class Tally {
        private final Protocol protocol;
        private final TcpState boundState;
        private final List<BoundSocket> bound = new ArrayList<>();
        private final long[] counts = new long[TcpState.values().length];

        Tally(Protocol protocol) {
            this.protocol = requireNonNull(protocol, "protocol");
            this.boundState = protocol == Protocol.TCP ? TcpState.LISTEN : TcpState.CLOSE;
        }

        /** Adds the {@code struct inet_diag_msg} at {@code offset}. */
        void add(ByteBuffer message, int offset) throws IOException {
            int family = message.get(offset) & 0xff;
            int state = message.get(offset + 1) & 0xff;
            if (state < 1 || state > counts.length) {
                return; // a state of a future kernel: not counted, as the /proc parser does not count it
            }
            if (protocol == Protocol.TCP) {
                counts[state - 1]++;
            }
            int port = (message.get(offset + 4) & 0xff) << 8 | message.get(offset + 5) & 0xff; // network order
            if (state != boundState.code() || port == 0) {
                return;
            }
            if (family != AF_INET && family != AF_INET6) {
                throw new IOException("netlink sock_diag: a socket of address family " + family);
            }
            byte[] address = new byte[family == AF_INET ? 4 : 16];
            message.get(offset + 8, address);
            long inode = Integer.toUnsignedLong(message.getInt(offset + 68));
            String text = family == AF_INET ? PortSampler.formatIpv4(address, 0) : PortSampler.formatIpv6(address);
            bound.add(new BoundSocket(protocol, text, port, inode));
        }

        NetTable table() {
            return NetTable.of(bound, counts);
        }
    }
}
