package io.rollguard.sample;

import static java.util.Objects.requireNonNull;

import io.rollguard.sample.PortSampler.Protocol;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

/**
 * The listening TCP sockets and bound UDP sockets of the agent's network namespace with the process holding each,
 * as the {@code ports} sampler reads them (sock_diag, or /proc/net where that is refused). The {@code port} check
 * asks through this, so that the check and the {@code rollguard_port_listening} series never disagree on what
 * "listening" means. Not thread-safe: it remembers socket holders between calls, so each user owns one.
 */
public final class ListeningSockets {
    /**
     * A socket waiting for peers on a local address, and the process holding it.
     *
     * @param address as RFC 5952 writes it; a dual-stack socket's IPv4 bind is IPv4-mapped, {@code ::ffff:127.0.0.1}
     * @param pid the holder's pid, or -1 where the agent cannot see it (another user's process, another PID
     *     namespace, or one that has just exited)
     * @param process the holder's name as {@code ps} and {@code ss} show it; empty where the pid is -1
     */
    public record Listener(Protocol protocol, String address, int port, long pid, String process) {
        public Listener {
            requireNonNull(protocol, "protocol");
            requireNonNull(address, "address");
            requireNonNull(process, "process");
        }

        public boolean holderKnown() {
            return pid >= 0;
        }
    }

    private final PortSampler tables;

    private ListeningSockets(PortSampler tables) {
        this.tables = requireNonNull(tables, "tables");
    }

    /** Only the /proc/net tables under {@code procRoot}: a fixture tree, or /proc itself. */
    public ListeningSockets(Path procRoot) {
        this(new PortSampler(procRoot, ByteOrder.nativeOrder()));
    }

    /** This host's sockets, read as the ports sampler of this host reads them. */
    public static ListeningSockets forHost() {
        return new ListeningSockets(PortSampler.forHost());
    }

    /** The listeners of one protocol, over IPv4 and IPv6, with their holders where visible. */
    public List<Listener> listeners(Protocol protocol) throws IOException {
        return tables.listeners(protocol);
    }
}
