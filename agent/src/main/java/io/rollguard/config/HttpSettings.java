package io.rollguard.config;

import static java.util.Objects.requireNonNull;

/** The {@code [http]} table. */
public record HttpSettings(HostPort listen) {
    /** 9730: clear of the ports the common Prometheus exporters use (9100 node, 9090 Prometheus, 9093 Alertmanager). */
    public static final HostPort DEFAULT_LISTEN = new HostPort("0.0.0.0", 9730);

    public HttpSettings {
        requireNonNull(listen, "listen");
    }
}
