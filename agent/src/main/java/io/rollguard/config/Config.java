package io.rollguard.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * A whole, validated configuration. Immutable: a reload builds a new one and swaps it in.
 *
 * @param source where it came from, for logs and {@code /health/detailed}
 * @param processes the {@code [[process]]} entries, in file order
 */
public record Config(String source, AgentSettings agent, HttpSettings http, Map<String, SamplerSettings> samplers,
        List<ProcessSettings> processes) {
    public Config {
        requireNonNull(source, "source");
        requireNonNull(agent, "agent");
        requireNonNull(http, "http");
        samplers = Map.copyOf(samplers);
        processes = List.copyOf(processes);
    }

    /** The settings of sampler {@code name}: its {@code [sample.NAME]} table, or the defaults. */
    public SamplerSettings sampler(String name) {
        return samplers.getOrDefault(name, SamplerSettings.DEFAULT);
    }
}
