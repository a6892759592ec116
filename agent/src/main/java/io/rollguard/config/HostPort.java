package io.rollguard.config;

import static java.util.Objects.requireNonNull;

/**
 * An address to listen on or connect to: {@code 0.0.0.0:9730}, {@code [::1]:9730}, {@code localhost:0}.
 * Port 0 asks the kernel for a free port.
 */
public record HostPort(String host, int port) {
    public HostPort {
        requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
        }
    }

    /**
     * Parses {@code host:port}; an IPv6 host is bracketed. An empty host ({@code :9730}) means every interface.
     *
     * @throws IllegalArgumentException with a message that says what was expected
     */
    public static HostPort parse(String text) {
        String expected = "expected host:port such as \"0.0.0.0:9730\", \"127.0.0.1:0\" or \"[::1]:9730\", got \""
                + text + "\"";
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf("]:");
            if (close < 0) {
                throw new IllegalArgumentException(expected);
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0 || text.indexOf(':') != colon) {
                throw new IllegalArgumentException(expected);
            }
            host = colon == 0 ? "0.0.0.0" : text.substring(0, colon);
            port = text.substring(colon + 1);
        }
        if (host.isBlank() || !port.matches("[0-9]{1,5}")) {
            throw new IllegalArgumentException(expected);
        }
        int number = Integer.parseInt(port);
        if (number > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, got " + number);
        }
        return new HostPort(host, number);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
