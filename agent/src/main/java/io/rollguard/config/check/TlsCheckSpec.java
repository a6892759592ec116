package io.rollguard.config.check;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * {@code type = "tls"}: a TLS handshake with {@code host:port} succeeds, the certificate chain is trusted and
 * names {@code serverName}, and no certificate of the chain expires within {@code minDaysValid} days.
 *
 * @param serverName the name sent as SNI and that the certificate must match; {@code host} unless set
 * @param caFile PEM certificates to trust instead of the JDK's trust store (a private CA); null for the JDK's
 */
public record TlsCheckSpec(String host, int port, String serverName, int minDaysValid, Path caFile)
        implements CheckSpec {
    public TlsCheckSpec {
        requireNonNull(host, "host");
        requireNonNull(serverName, "serverName");
    }

    @Override
    public String type() {
        return "tls";
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.tls(this);
    }
}
