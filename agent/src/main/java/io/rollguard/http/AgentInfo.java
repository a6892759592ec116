package io.rollguard.http;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** What the agent says about itself in {@code /health/detailed}. */
public record AgentInfo(String version, String configSource, Instant startedAt) {
    public AgentInfo {
        requireNonNull(version, "version");
        requireNonNull(configSource, "configSource");
        requireNonNull(startedAt, "startedAt");
    }
}
