package io.rollguard.config.check;

import static java.util.Objects.requireNonNull;

/** {@code type = "tcp"}: a connection to {@code host:port} opens within the timeout. */
public record TcpCheckSpec(String host, int port) implements CheckSpec {
    public TcpCheckSpec {
        requireNonNull(host, "host");
    }

    @Override
    public String type() {
        return "tcp";
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.tcp(this);
    }
}
