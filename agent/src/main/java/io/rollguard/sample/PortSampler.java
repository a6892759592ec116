package io.rollguard.sample;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.util.Objects.requireNonNull;

import io.rollguard.config.MetricCatalogue;
import io.rollguard.sample.SocketOwners.Owner;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesWriter;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listening TCP sockets and bound UDP sockets with the process holding each, and TCP sockets by state: what
 * {@code ss -tlnup} and {@code ss -s} show, for the agent's network namespace. "Is port 5555 listening, and is it
 * still the new version's process" is a question every deployment checklist asks.
 *
 * <p>On a host the tables come from the kernel's sock_diag netlink interface ({@link SockDiag}), as ss reads them:
 * reading {@code /proc/net/tcp} costs several times more, because every read() walks the whole established hash.
 * Where the kernel or a sandbox refuses sock_diag for a protocol (seccomp's {@code RestrictAddressFamilies} without
 * {@code AF_NETLINK}, a kernel without the {@code udp_diag} module), that protocol is read from
 * {@code /proc/net/{tcp,tcp6,udp,udp6}} from then on, and the log says so once. Fixture trees are read as /proc.
 *
 * <p>{@code proto} is {@code tcp} or {@code udp} whatever the IP version; the address says which. IPv6 addresses are
 * written as RFC 5952 says ({@code ::1}, {@code fd00::2}); an IPv4-mapped one stays IPv6 ({@code ::ffff:127.0.0.1}),
 * which is where a dual-stack socket, such as every JVM's by default, reports an IPv4 bind.
 */
public final class PortSampler implements Sampler {
    static final MetricFamily LISTENING = MetricFamily.gauge("rollguard_port_listening",
            "Listening TCP sockets and bound UDP sockets, by address, port and process (empty where the agent "
                    + "cannot see the holder): 1, or more where several processes share the port.");
    static final MetricFamily CONNECTIONS = MetricFamily.gauge("rollguard_tcp_connections",
            "TCP sockets over IPv4 and IPv6 in each state, listeners included, as ss counts them.");

    /** The {@code proto} label. */
    public enum Protocol {
        TCP,
        UDP;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The kernel's TCP states ({@code include/net/tcp_states.h}), in order: /proc/net/tcp numbers them from 1. */
    enum TcpState {
        ESTABLISHED,
        SYN_SENT,
        SYN_RECV,
        FIN_WAIT1,
        FIN_WAIT2,
        TIME_WAIT,
        CLOSE,
        CLOSE_WAIT,
        LAST_ACK,
        LISTEN,
        CLOSING;

        private final LabelSet labels = LabelSet.of("state", name().toLowerCase(Locale.ROOT));

        int code() {
            return ordinal() + 1;
        }

        LabelSet labels() {
            return labels;
        }
    }

    /** A socket waiting for peers on a local address: a TCP listener or an unconnected, bound UDP socket. */
    record BoundSocket(Protocol protocol, String address, int port, long inode) {
        BoundSocket {
            requireNonNull(protocol, "protocol");
            requireNonNull(address, "address");
        }
    }

    /**
     * What one /proc/net file or a protocol's sock_diag dumps list: its bound sockets and, for TCP, the states that
     * sockets are in, with counts.
     */
    record NetTable(List<BoundSocket> bound, Map<TcpState, Long> states) {
        static final NetTable EMPTY = new NetTable(List.of(), Map.of());

        NetTable {
            bound = List.copyOf(bound);
            states = Map.copyOf(states);
        }

        /** @param counts sockets by state, indexed by {@link TcpState#ordinal()}; states without any are left out */
        static NetTable of(List<BoundSocket> bound, long[] counts) {
            Map<TcpState, Long> states = new EnumMap<>(TcpState.class);
            for (TcpState state : STATES) {
                if (counts[state.ordinal()] > 0) {
                    states.put(state, counts[state.ordinal()]);
                }
            }
            return new NetTable(bound, states);
        }
    }

    /** The sockets of a protocol over IPv4 and IPv6, read from the kernel rather than from /proc text. */
    interface SocketDump {
        /**
         * @throws SockDiag.Refused when the kernel or a sandbox will never answer for this protocol
         * @throws IOException when this reading failed
         */
        NetTable dump(Protocol protocol) throws IOException;
    }

    private record NetFile(String name, Protocol protocol, boolean optional) {}

    /** tcp6 and udp6 are absent when IPv6 is disabled (ipv6.disable=1); tcp and udp never are. */
    private static final List<NetFile> FILES = List.of(
            new NetFile("tcp", Protocol.TCP, false),
            new NetFile("tcp6", Protocol.TCP, true),
            new NetFile("udp", Protocol.UDP, false),
            new NetFile("udp6", Protocol.UDP, true));
    private static final TcpState[] STATES = TcpState.values();
    /** sl, local_address, rem_address, st, tx_queue:rx_queue, tr:tm->when, retrnsmt, uid, timeout, inode. */
    private static final int FIELDS = 10;
    private static final int LOCAL_ADDRESS = 1;
    private static final int STATE = 3;
    private static final int INODE = 9;

    private static final Logger log = LoggerFactory.getLogger(PortSampler.class);

    private final Path procRoot;
    private final ByteOrder byteOrder;
    private final SocketOwners owners;
    /** null where only the /proc tree is read. */
    private final SocketDump dump;
    /** The protocols still read through {@link #dump}; one it refuses moves to /proc for good. */
    private final Set<Protocol> dumped;

    /**
     * Reads only the /proc/net tables under {@code procRoot}, a fixture tree.
     *
     * @param byteOrder the byte order of the host that wrote the files: fixtures come from a little-endian one
     */
    PortSampler(Path procRoot, ByteOrder byteOrder) {
        this(procRoot, byteOrder, null);
    }

    /** @param dump where to read the tables first; null to read only {@code procRoot}'s /proc/net */
    PortSampler(Path procRoot, ByteOrder byteOrder, SocketDump dump) {
        this.procRoot = requireNonNull(procRoot, "procRoot");
        this.byteOrder = requireNonNull(byteOrder, "byteOrder");
        this.owners = new SocketOwners(procRoot);
        this.dump = dump;
        this.dumped = dump == null ? EnumSet.noneOf(Protocol.class) : EnumSet.allOf(Protocol.class);
    }

    /** The sampler of this host: sock_diag over netlink, and {@code /proc} for what netlink does not serve. */
    public static PortSampler forHost() {
        return new PortSampler(HostSamplers.PROC, ByteOrder.nativeOrder(), SockDiag.forHost());
    }

    @Override
    public String name() {
        return MetricCatalogue.PORTS;
    }

    /**
     * Every other tick: counting connections by state walks the kernel's established hash, a cost that grows with
     * the host's memory and its connections, and listeners change rarely.
     */
    @Override
    public Duration defaultPeriod(Duration tick) {
        return tick.multipliedBy(2);
    }

    @Override
    public void sample(SeriesWriter out) throws IOException {
        List<BoundSocket> bound = new ArrayList<>();
        long[] states = new long[STATES.length];
        for (Protocol protocol : Protocol.values()) {
            for (NetTable table : read(protocol)) {
                bound.addAll(table.bound());
                table.states().forEach((state, count) -> states[state.ordinal()] += count);
            }
        }

        Map<Long, Owner> holders = holders(bound);
        // No pid label: it changes at every restart of the holder, and each restart would start a new series.
        // Sockets that share a port (SO_REUSEPORT workers, a forking server) count in one series.
        Map<LabelSet, Integer> listening = new java.util.LinkedHashMap<>();
        for (BoundSocket socket : bound) {
            Owner owner = holders.get(socket.inode());
            // Empty rather than absent: every series of the family carries the same label names.
            LabelSet labels = LabelSet.of("proto", socket.protocol().label(), "address", socket.address(),
                    "port", Integer.toString(socket.port()),
                    "process", owner == null ? "" : owner.process());
            listening.merge(labels, 1, Integer::sum);
        }
        listening.forEach((labels, count) -> out.put(LISTENING, labels, count));
        // Every state is written, zero included, so that a rule over time_wait has a value on a quiet host.
        for (TcpState state : STATES) {
            out.put(CONNECTIONS, state.labels(), states[state.ordinal()]);
        }
    }

    /**
     * The listeners of one protocol with their holders, read as {@link #sample} reads them: the {@code port} check's
     * question, through {@link ListeningSockets}.
     */
    List<ListeningSockets.Listener> listeners(Protocol protocol) throws IOException {
        List<BoundSocket> bound = new ArrayList<>();
        for (NetTable table : read(protocol)) {
            bound.addAll(table.bound());
        }
        Map<Long, Owner> holders = holders(bound);
        List<ListeningSockets.Listener> listeners = new ArrayList<>(bound.size());
        for (BoundSocket socket : bound) {
            Owner owner = holders.get(socket.inode());
            listeners.add(new ListeningSockets.Listener(socket.protocol(), socket.address(), socket.port(),
                    owner == null ? -1 : owner.pid(), owner == null ? "" : owner.process()));
        }
        return listeners;
    }

    private Map<Long, Owner> holders(List<BoundSocket> bound) throws IOException {
        Set<Long> inodes = new HashSet<>();
        for (BoundSocket socket : bound) {
            if (socket.inode() != 0) {
                inodes.add(socket.inode());
            }
        }
        return owners.resolve(inodes);
    }

    /** The tables of a protocol: one dump, or its /proc/net files. */
    private List<NetTable> read(Protocol protocol) throws IOException {
        if (dumped.contains(protocol)) {
            try {
                return List.of(dump.dump(protocol));
            } catch (SockDiag.Refused e) {
                dumped.remove(protocol);
                log.warn("ports: {}; reading {} sockets from {} instead", e.getMessage(), protocol.label(),
                        procRoot.resolve("net"));
            }
        }
        List<NetTable> tables = new ArrayList<>();
        for (NetFile file : FILES) {
            if (file.protocol() == protocol) {
                tables.add(read(file));
            }
        }
        return tables;
    }

    private NetTable read(NetFile file) throws IOException {
        Path path = procRoot.resolve("net").resolve(file.name());
        BufferedReader reader;
        try {
            reader = Files.newBufferedReader(path, US_ASCII);
        } catch (NoSuchFileException e) {
            if (file.optional()) {
                return NetTable.EMPTY;
            }
            throw e;
        }
        try (reader) {
            return parse(path.toString(), file.protocol(), byteOrder, reader);
        }
    }

    /**
     * Parses one of {@code /proc/net/{tcp,tcp6,udp,udp6}}: a header, then a socket per line. It reads line by line
     * rather than taking a list because a busy host lists a hundred thousand connections, and the agent's heap is
     * small. Every line must have the ten leading columns and a hexadecimal state; address, port and inode are
     * checked on the lines it reports. A state this parser does not know (a future kernel's) is not counted.
     *
     * @param file the file's name for error messages
     * @param byteOrder the byte order of the host that wrote it: the kernel prints each 32-bit word of an address
     *     as a number in host order
     * @throws IOException naming the file and line when the content is not what the kernel writes
     */
    static NetTable parse(String file, Protocol protocol, ByteOrder byteOrder, BufferedReader reader)
            throws IOException {
        String header = reader.readLine();
        if (header == null) {
            return NetTable.EMPTY;
        }
        int[] starts = new int[FIELDS];
        int[] ends = new int[FIELDS];
        if (split(header, starts, ends) < 2 || !header.substring(starts[0], ends[0]).equals("sl")
                || !header.substring(starts[1], ends[1]).equals("local_address")) {
            throw ProcText.malformed(file, 1, "expected a header starting sl local_address", header);
        }
        // An unconnected UDP socket is in TCP_CLOSE; a connected one (a client) is ESTABLISHED and not a service.
        TcpState boundState = protocol == Protocol.TCP ? TcpState.LISTEN : TcpState.CLOSE;
        List<BoundSocket> bound = new ArrayList<>();
        long[] counts = new long[STATES.length];
        int lineNumber = 1;
        String line;
        while ((line = reader.readLine()) != null) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            int found = split(line, starts, ends);
            if (found < FIELDS) {
                throw ProcText.malformed(file, lineNumber,
                        "expected at least " + FIELDS + " fields, found " + found, line);
            }
            long code = ends[STATE] - starts[STATE] == 2 ? hex(line, starts[STATE], ends[STATE]) : -1;
            if (code < 0) {
                throw ProcText.malformed(file, lineNumber, "the state is not two hex digits", line);
            }
            TcpState state = code >= 1 && code <= STATES.length ? STATES[(int) code - 1] : null;
            if (protocol == Protocol.TCP && state != null) {
                counts[state.ordinal()]++;
            }
            if (state != boundState) {
                continue;
            }
            BoundSocket socket = boundSocket(file, lineNumber, line, protocol, byteOrder, starts, ends);
            if (socket.port() != 0) {
                bound.add(socket);
            }
        }
        return NetTable.of(bound, counts);
    }

    private static BoundSocket boundSocket(String file, int lineNumber, String line, Protocol protocol,
            ByteOrder byteOrder, int[] starts, int[] ends) throws IOException {
        int colon = line.indexOf(':', starts[LOCAL_ADDRESS]);
        if (colon < 0 || colon >= ends[LOCAL_ADDRESS]) {
            throw ProcText.malformed(file, lineNumber, "the local address has no port", line);
        }
        String address = address(line, starts[LOCAL_ADDRESS], colon, byteOrder);
        if (address == null) {
            throw ProcText.malformed(file, lineNumber, "the local address is not 8 or 32 hex digits", line);
        }
        long port = ends[LOCAL_ADDRESS] - colon - 1 == 4 ? hex(line, colon + 1, ends[LOCAL_ADDRESS]) : -1;
        if (port < 0) {
            throw ProcText.malformed(file, lineNumber, "the local port is not four hex digits", line);
        }
        long inode = decimal(line, starts[INODE], ends[INODE]);
        if (inode < 0) {
            throw ProcText.malformed(file, lineNumber, "the inode is not a decimal number", line);
        }
        return new BoundSocket(protocol, address, (int) port, inode);
    }

    /** Finds the first {@code starts.length} space-separated fields of {@code line}; returns how many it found. */
    private static int split(String line, int[] starts, int[] ends) {
        int count = 0;
        int at = 0;
        int length = line.length();
        while (count < starts.length) {
            while (at < length && line.charAt(at) <= ' ') {
                at++;
            }
            if (at == length) {
                break;
            }
            starts[count] = at;
            while (at < length && line.charAt(at) > ' ') {
                at++;
            }
            ends[count++] = at;
        }
        return count;
    }

    /** The address in {@code text[from, to)}: 8 hex digits for IPv4, 32 for IPv6; null for anything else. */
    static String address(String text, int from, int to, ByteOrder byteOrder) {
        int digits = to - from;
        if (digits != 8 && digits != 32) {
            return null;
        }
        byte[] bytes = new byte[digits / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            long value = hex(text, from + word * 8, from + word * 8 + 8);
            if (value < 0) {
                return null;
            }
            // The kernel prints each 32-bit word of the network-order address as a host-order number.
            int network = byteOrder == ByteOrder.LITTLE_ENDIAN ? Integer.reverseBytes((int) value) : (int) value;
            bytes[word * 4] = (byte) (network >>> 24);
            bytes[word * 4 + 1] = (byte) (network >>> 16);
            bytes[word * 4 + 2] = (byte) (network >>> 8);
            bytes[word * 4 + 3] = (byte) network;
        }
        return bytes.length == 4 ? formatIpv4(bytes, 0) : formatIpv6(bytes);
    }

    static String formatIpv4(byte[] bytes, int offset) {
        return (bytes[offset] & 0xff) + "." + (bytes[offset + 1] & 0xff) + "." + (bytes[offset + 2] & 0xff) + "."
                + (bytes[offset + 3] & 0xff);
    }

    /**
     * RFC 5952: lower case, no leading zeros, the longest run of two or more zero groups (the first of equal runs)
     * as {@code ::}, and an IPv4-mapped address with its IPv4 part dotted, as inet_ntop and ss write them.
     */
    static String formatIpv6(byte[] bytes) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (bytes[2 * i] & 0xff) << 8 | bytes[2 * i + 1] & 0xff;
        }
        if (groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 && groups[4] == 0
                && groups[5] == 0xffff) {
            return "::ffff:" + formatIpv4(bytes, 12);
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is written as 0, not ::
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int end = i;
            while (end < 8 && groups[end] == 0) {
                end++;
            }
            if (end - i > bestLength) {
                bestStart = i;
                bestLength = end - i;
            }
            i = end;
        }
        StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }

    /** The value of the hex digits in {@code text[from, to)} (at most 8), or -1 when there are none or a non-digit. */
    private static long hex(String text, int from, int to) {
        if (to <= from || to - from > 8) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            int digit;
            if (c >= '0' && c <= '9') {
                digit = c - '0';
            } else if (c >= 'A' && c <= 'F') {
                digit = c - 'A' + 10;
            } else if (c >= 'a' && c <= 'f') {
                digit = c - 'a' + 10;
            } else {
                return -1;
            }
            value = value << 4 | digit;
        }
        return value;
    }

    /** The value of the decimal digits in {@code text[from, to)} (at most 18), or -1 for anything else. */
    private static long decimal(String text, int from, int to) {
        if (to <= from || to - from > 18) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
