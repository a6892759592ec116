package io.rollguard.config.check;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.util.List;

/**
 * {@code type = "port"}: every port is listening, or every port is free, as a deployment needs before and after
 * it starts a service ("IPC ports 5555/5557/5558/5559 free before start and listening after").
 *
 * @param address only sockets bound to this address, or to a wildcard that covers it, count; null for any address
 */
public record PortCheckSpec(List<Integer> ports, Expectation expect, Protocol proto, InetAddress address)
        implements CheckSpec {
    /** The state every port must be in. */
    public enum Expectation {
        LISTENING, FREE
    }

    /** {@code tcp} listeners or bound {@code udp} sockets, over IPv4 and IPv6. */
    public enum Protocol {
        TCP, UDP
    }

    public PortCheckSpec {
        ports = List.copyOf(ports);
        requireNonNull(expect, "expect");
        requireNonNull(proto, "proto");
    }

    @Override
    public String type() {
        return "port";
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.port(this);
    }
}
