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
 * @param maxConnections at most this many connections are open: a new one beyond closes the oldest idle or
 *     trickling one
 * @param maxConnectionsPerPeer at most this many from one client address: a new one beyond closes that address's
 *     oldest idle or trickling one
 * @param idleTimeout a connection that sends and receives nothing for this long is closed
 * @param headTimeout a request head (and a TLS handshake before it) not complete this long after its first byte
 *     is answered 408 and closed, however slowly its bytes trickle
 * @param bodyTimeout likewise for a request body, from its first byte
 */
public record HttpSettings(HostPort listen, Secret token, Path tokenFile, Secret readToken, boolean healthPublic,
        TlsFiles tls, int maxConnections, int maxConnectionsPerPeer, Duration idleTimeout, Duration headTimeout,
        Duration bodyTimeout) {
    /** 9730: clear of the ports the common Prometheus exporters use (9100 node, 9090 Prometheus, 9093 Alertmanager). */
    public static final HostPort DEFAULT_LISTEN = new HostPort("0.0.0.0", 9730);
    public static final int DEFAULT_MAX_CONNECTIONS = 256;
    /** An eighth of the slots: a load balancer or Prometheus needs a few, and one address cannot take them all. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_PEER = 32;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    /** The agent's requests are a few hundred bytes: a client that needs longer for them is not a client. */
    public static final Duration DEFAULT_HEAD_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(10);

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
        requireNonNull(headTimeout, "headTimeout");
        requireNonNull(bodyTimeout, "bodyTimeout");
        if (maxConnections < 1 || maxConnectionsPerPeer < 1) {
            throw new IllegalArgumentException("maxConnections and maxConnectionsPerPeer must be positive");
        }
    }

    /** Every default, listening on {@code listen}. */
    public HttpSettings(HostPort listen) {
        this(listen, null, null, null, true, null, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_PEER,
                DEFAULT_IDLE_TIMEOUT, DEFAULT_HEAD_TIMEOUT, DEFAULT_BODY_TIMEOUT);
    }

    /** These settings with other connection limits: for tests of the server itself. */
    public HttpSettings withLimits(int maxConnections, int maxConnectionsPerPeer, Duration idleTimeout,
            Duration headTimeout, Duration bodyTimeout) {
        return new HttpSettings(listen, token, tokenFile, readToken, healthPublic, tls, maxConnections,
                maxConnectionsPerPeer, idleTimeout, headTimeout, bodyTimeout);
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
