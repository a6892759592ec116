package io.rollguard.config;

import static java.util.Objects.requireNonNull;

/**
 * A whole, validated configuration. Immutable: a reload builds a new one and swaps it in.
 *
 * @param source where it came from, for logs and {@code /health/detailed}
 */
public record Config(String source, AgentSettings agent, HttpSettings http) {
    public Config {
        requireNonNull(source, "source");
        requireNonNull(agent, "agent");
        requireNonNull(http, "http");
    }
}
