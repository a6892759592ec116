package io.rollguard.check;

import static java.util.Objects.requireNonNull;

import io.rollguard.config.check.PortCheckSpec;
import io.rollguard.config.check.PortCheckSpec.Expectation;
import io.rollguard.sample.ListeningSockets;
import io.rollguard.sample.ListeningSockets.Listener;
import io.rollguard.sample.PortSampler.Protocol;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every port is listening, or every port is free: "IPC ports 5555/5557/5558/5559 free before start and listening
 * after". A busy port is named with the process holding it, the first thing anyone asks next. Its value is the
 * number of ports not in the expected state.
 */
final class PortCheck implements Check {
    private final PortCheckSpec spec;
    private final ListeningSockets sockets;
    private final Protocol protocol;

    /** @param sockets this check's own reader: it remembers socket holders between runs, so it is not shared */
    public PortCheck(PortCheckSpec spec, ListeningSockets sockets) {
        this.spec = requireNonNull(spec, "spec");
        this.sockets = requireNonNull(sockets, "sockets");
        this.protocol = spec.proto() == PortCheckSpec.Protocol.TCP ? Protocol.TCP : Protocol.UDP;
    }

    @Override
    public CheckResult run() throws IOException {
        Map<Integer, List<Listener>> byPort = new LinkedHashMap<>();
        for (int port : spec.ports()) {
            byPort.put(port, new ArrayList<>());
        }
        for (Listener listener : sockets.listeners(protocol)) {
            List<Listener> onPort = byPort.get(listener.port());
            if (onPort != null && covers(listener.address())) {
                onPort.add(listener);
            }
        }
        String scope = scope();
        List<String> offenders = new ArrayList<>();
        List<String> fine = new ArrayList<>();
        for (Map.Entry<Integer, List<Listener>> entry : byPort.entrySet()) {
            int port = entry.getKey();
            List<Listener> listeners = entry.getValue();
            if (spec.expect() == Expectation.FREE) {
                if (listeners.isEmpty()) {
                    fine.add(Integer.toString(port));
                } else {
                    offenders.add(port + " is in use by " + holders(listeners));
                }
            } else if (listeners.isEmpty()) {
                offenders.add(port + " is not listening");
            } else {
                fine.add(port + " by " + holders(listeners));
            }
        }
        if (!offenders.isEmpty()) {
            return CheckResult.failed(String.join("; ", offenders) + scope, offenders.size());
        }
        String state = spec.expect() == Expectation.FREE ? "free: " : "listening: ";
        return CheckResult.passed(state + String.join(", ", fine) + scope, 0);
    }

    /** Nothing for the common case, TCP on any address; else " [udp on 127.0.0.1]", so a reader knows what was asked. */
    private String scope() {
        List<String> parts = new ArrayList<>();
        if (protocol == Protocol.UDP) {
            parts.add(protocol.label());
        }
        if (spec.address() != null) {
            parts.add("on " + spec.address().getHostAddress());
        }
        return parts.isEmpty() ? "" : " [" + String.join(" ", parts) + "]";
    }

    /**
     * Whether a socket bound to {@code bound} takes connections to the configured address: the same address, or a
     * wildcard. {@code ::} covers IPv4 as well, since a dual-stack socket (the JVM's, for one) is bound there.
     */
    private boolean covers(String bound) throws UnknownHostException {
        if (spec.address() == null) {
            return true;
        }
        // Only literals from /proc reach here; an IPv4-mapped ::ffff:a.b.c.d comes back as the IPv4 a.b.c.d.
        InetAddress address = InetAddress.getByName(bound);
        if (address.isAnyLocalAddress()) {
            return address instanceof Inet4Address ? spec.address() instanceof Inet4Address : true;
        }
        return address.equals(spec.address());
    }

    /** "python3 (pid 4242)", or every distinct holder when several processes or none the agent can see. */
    private static String holders(List<Listener> listeners) {
        Set<String> names = new LinkedHashSet<>();
        for (Listener listener : listeners) {
            names.add(listener.holderKnown() ? listener.process() + " (pid " + listener.pid() + ")"
                    : "a process the agent cannot see");
        }
        return String.join(" and ", names);
    }
}
