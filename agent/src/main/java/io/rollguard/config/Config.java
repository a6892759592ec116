package io.rollguard.config;

import static java.util.Objects.requireNonNull;

import io.rollguard.config.action.ActionConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole, validated configuration. Immutable: a reload builds a new one and swaps it in.
 *
 * @param source where it came from, for logs and {@code /health/detailed}
 * @param filesystemFilter which mounts the filesystem sampler reports ({@code [sample.filesystem]})
 * @param processes the {@code [[process]]} entries, in file order
 * @param checks the {@code [[check]]} tables, in file order
 * @param actions the {@code [action.NAME]} tables by name, in file order
 * @param rules the {@code [[rule]]} tables, in file order
 * @param deploy the {@code [deploy]} table
 * @param sources the {@code [[source]]} tables, in file order
 */
public record Config(String source, AgentSettings agent, HttpSettings http, Map<String, SamplerSettings> samplers,
        FilesystemFilter filesystemFilter, List<ProcessSettings> processes, List<CheckConfig> checks,
        Map<String, ActionConfig> actions, List<RuleConfig> rules, DeploySettings deploy,
        List<SourceConfig> sources) {
    public Config {
        requireNonNull(source, "source");
        requireNonNull(agent, "agent");
        requireNonNull(http, "http");
        samplers = Map.copyOf(samplers);
        requireNonNull(filesystemFilter, "filesystemFilter");
        processes = List.copyOf(processes);
        checks = List.copyOf(checks);
        actions = Collections.unmodifiableMap(new LinkedHashMap<>(actions));
        rules = List.copyOf(rules);
        requireNonNull(deploy, "deploy");
        sources = List.copyOf(sources);
    }

    /** The settings of sampler {@code name}: its {@code [sample.NAME]} table, or the defaults. */
    public SamplerSettings sampler(String name) {
        return samplers.getOrDefault(name, SamplerSettings.DEFAULT);
    }
}
