package io.rollguard.http;

import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesWriter;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At most {@code [http] max_connections} open connections, and {@code max_connections_per_peer} from one address.
 * A new connection beyond either closes the oldest idle or trickling one (of that address, or of all) to make room,
 * so that slow or idle clients can never keep a fresh {@code /health} from the load balancer out; only when every
 * slot is waiting for its answer is the new one closed instead, at once, before a byte is read.
 *
 * <p>Confined to the server's one event loop thread (accepts, reads, writes and closes all happen there); only the
 * counters are read from elsewhere, for {@code /metrics}.
 */
final class ConnectionLimit {
    private static final Logger log = LoggerFactory.getLogger(ConnectionLimit.class);

    static final MetricFamily OPEN = MetricFamily.gauge("rollguard_http_connections",
            "HTTP connections open now.");
    static final MetricFamily REFUSED = MetricFamily.counter("rollguard_http_connections_refused_total",
            "HTTP connections closed at once because the limits were reached and every open one awaited its answer.");
    static final MetricFamily EVICTED = MetricFamily.counter("rollguard_http_connections_evicted_total",
            "Idle or trickling HTTP connections closed to make room for a new one, by the limit reached.");
    private static final LabelSet BY_MAX = LabelSet.of("reason", "max_connections");
    private static final LabelSet BY_PEER = LabelSet.of("reason", "max_connections_per_peer");

    /** One client address's connections. */
    private static final class Peer {
        int open;
        boolean full; // for the log: one line when it reaches its cap, not one per eviction
        final LinkedHashSet<TrackedConnection> evictable = new LinkedHashSet<>();
    }

    private final int max;
    private final int maxPerPeer;
    /** Connections not awaiting an answer, least recently active first: the order of eviction. */
    private final LinkedHashSet<TrackedConnection> evictable = new LinkedHashSet<>();
    private final Map<InetAddress, Peer> peers = new HashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong evictedByMax = new AtomicLong();
    private final AtomicLong evictedByPeer = new AtomicLong();
    private boolean full; // for the log, likewise

    ConnectionLimit(int max, int maxPerPeer) {
        this.max = max;
        this.maxPerPeer = maxPerPeer;
    }

    /**
     * Whether {@code connection}, just accepted, may stay open, after closing another to make room if need be; when
     * it may, it is counted until it closes.
     */
    boolean admit(TrackedConnection connection) {
        Peer peer = peers.computeIfAbsent(connection.peer(), address -> new Peer());
        if (peer.open >= maxPerPeer) {
            if (peer.evictable.isEmpty()) {
                return refuse(connection, peer);
            }
            if (!peer.full) {
                peer.full = true;
                log.warn("{} has {} HTTP connections open ([http] max_connections_per_peer): closing its oldest idle "
                        + "or trickling one for each new one", connection.peer().getHostAddress(), maxPerPeer);
            }
            evict(peer.evictable.iterator().next());
            evictedByPeer.incrementAndGet();
        } else if (open.get() >= max) {
            if (evictable.isEmpty()) {
                return refuse(connection, peer);
            }
            if (!full) {
                full = true;
                log.warn("{} HTTP connections are open ([http] max_connections): closing the oldest idle or "
                        + "trickling one for each new one", max);
            }
            evict(evictable.iterator().next());
            evictedByMax.incrementAndGet();
        }
        peer.open++;
        open.incrementAndGet();
        peer.evictable.add(connection);
        evictable.add(connection);
        connection.channel().closeFuture().addListener(closed -> release(connection));
        return true;
    }

    private boolean refuse(TrackedConnection connection, Peer peer) {
        if (peer.open == 0) {
            peers.remove(connection.peer());
        }
        refused.incrementAndGet();
        log.debug("refused an HTTP connection from {}: every slot awaits its answer", connection.peer());
        return false;
    }

    private void evict(TrackedConnection victim) {
        release(victim); // now, not when the close completes: the slot is the new connection's at once
        victim.channel().close();
    }

    /** {@code connection} started a request or sent its answer: it becomes the last to be evicted. */
    void active(TrackedConnection connection) {
        if (!connection.released() && evictable.remove(connection)) {
            evictable.add(connection);
            Peer peer = peers.get(connection.peer());
            peer.evictable.remove(connection);
            peer.evictable.add(connection);
        }
    }

    /** {@code connection} awaits its answer: it is not evicted until it has it. */
    void busy(TrackedConnection connection) {
        if (!connection.released()) {
            evictable.remove(connection);
            peers.get(connection.peer()).evictable.remove(connection);
        }
    }

    /** {@code connection} has its answer: it may be evicted again, as the most recently active one. */
    void answered(TrackedConnection connection) {
        if (!connection.released()) {
            evictable.add(connection);
            peers.get(connection.peer()).evictable.add(connection);
        }
    }

    private void release(TrackedConnection connection) {
        if (!connection.release()) {
            return;
        }
        evictable.remove(connection);
        Peer peer = peers.get(connection.peer());
        peer.evictable.remove(connection);
        if (--peer.open == 0) {
            peers.remove(connection.peer());
        } else if (peer.open <= maxPerPeer - Math.max(1, maxPerPeer / 10)) {
            peer.full = false;
        }
        // Below 90% only: a flood at the limit would otherwise log a pair of lines per connection.
        if (open.decrementAndGet() <= max - Math.max(1, max / 10) && full) {
            full = false;
            log.info("fewer than {} HTTP connections are open again", max);
        }
    }

    void writeMetrics(SeriesWriter out) {
        out.put(OPEN, open.get());
        out.put(REFUSED, refused.get());
        out.put(EVICTED, BY_MAX, evictedByMax.get());
        out.put(EVICTED, BY_PEER, evictedByPeer.get());
    }
}
