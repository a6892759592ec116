package io.rollguard.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code [http]} table.
 *
 * @param token {@code token_file}'s content: required on every mutating request; null for none (then mutating
 *     requests are accepted from loopback clients only)
 * @param tokenFile where {@code token} came from, for messages; null for none
 * @param readToken {@code read_token_file}'s content: required on read requests too; null for none
 * @param healthPublic whether {@code /health} and {@code /health/*} stay open even with a read token
 * @param tls the certificate and key to serve HTTPS with; null for plain HTTP
 * @param maxConnections connections beyond this many are closed at once
 * @param idleTimeout a connection that sends and receives nothing for this long is closed
 */
public record HttpSettings(HostPort listen, Secret token, Path tokenFile, Secret readToken, boolean healthPublic,
        TlsFiles tls, int maxConnections, Duration idleTimeout) {
    /** 9730: clear of the ports the common Prometheus exporters use (9100 node, 9090 Prometheus, 9093 Alertmanager). */
    public static final HostPort DEFAULT_LISTEN = new HostPort("0.0.0.0", 9730);
    public static final int DEFAULT_MAX_CONNECTIONS = 256;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

    /** PEM files: a certificate (chain) and its PKCS#8 private key. */
    public record TlsFiles(Path certificate, Path key) {
        public TlsFiles {
            requireNonNull(certificate, "certificate");
            requireNonNull(key, "key");
        }
    }

    public HttpSettings {
        requireNonNull(listen, "listen");
        requireNonNull(idleTimeout, "idleTimeout");
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be positive");
        }
    }

    /** Every default, listening on {@code listen}. */
    public HttpSettings(HostPort listen) {
        this(listen, null, null, null, true, null, DEFAULT_MAX_CONNECTIONS, DEFAULT_IDLE_TIMEOUT);
    }

    public Optional<Secret> mutatingToken() {
        return Optional.ofNullable(token);
    }

    public Optional<Secret> readingToken() {
        return Optional.ofNullable(readToken);
    }

    public Optional<TlsFiles> tlsFiles() {
        return Optional.ofNullable(tls);
    }

    public String scheme() {
        return tls == null ? "http" : "https";
    }
}
