package io.rollguard.http;

import io.netty.channel.Channel;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesWriter;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At most {@code [http] max_connections} open connections: one more is closed as soon as it is accepted, before a
 * byte is read, so that a flood of idle connections costs the agent nothing more and harms no open connection.
 */
final class ConnectionLimit {
    private static final Logger log = LoggerFactory.getLogger(ConnectionLimit.class);

    static final MetricFamily OPEN = MetricFamily.gauge("rollguard_http_connections",
            "HTTP connections open now.");
    static final MetricFamily REFUSED = MetricFamily.counter("rollguard_http_connections_refused_total",
            "HTTP connections closed at once because [http] max_connections were open.");

    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicBoolean full = new AtomicBoolean();

    ConnectionLimit(int max) {
        this.max = max;
    }

    /** Whether {@code channel} may stay open; when it may, it is counted until it closes. */
    boolean admit(Channel channel) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            refused.incrementAndGet();
            if (full.compareAndSet(false, true)) {
                log.warn("{} HTTP connections are open ([http] max_connections): refusing new ones", max);
            }
            return false;
        }
        channel.closeFuture().addListener(closed -> {
            // Below 90% only: a flood at the limit would otherwise log a pair of lines per connection.
            if (open.decrementAndGet() <= max - Math.max(1, max / 10) && full.compareAndSet(true, false)) {
                log.info("accepting HTTP connections again");
            }
        });
        return true;
    }

    int open() {
        return open.get();
    }

    long refused() {
        return refused.get();
    }

    void writeMetrics(SeriesWriter out) {
        out.put(OPEN, open.get());
        out.put(REFUSED, refused.get());
    }
}
