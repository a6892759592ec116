package io.rollguard.config;

import static java.util.Objects.requireNonNull;

import io.rollguard.config.action.ActionConfig;
import io.rollguard.config.process.ProcessSettings;
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
 * @param alertmanager the {@code [alertmanager]} table
 * @param warnings what the agent should say when it starts: files it would refuse but for
 *     {@code [agent] allow_insecure_permissions}
 * @param sources the {@code [[source]]} tables, in file order
 */
public record Config(String source, AgentSettings agent, HttpSettings http, Map<String, SamplerSettings> samplers,
        FilesystemFilter filesystemFilter, List<ProcessSettings> processes, List<CheckConfig> checks,
        Map<String, ActionConfig> actions, List<RuleConfig> rules, DeploySettings deploy,
        AlertmanagerSettings alertmanager, List<String> warnings, List<SourceConfig> sources) {
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
        requireNonNull(alertmanager, "alertmanager");
        warnings = List.copyOf(warnings);
        sources = List.copyOf(sources);
    }

    public Config(String source, AgentSettings agent, HttpSettings http, Map<String, SamplerSettings> samplers,
            FilesystemFilter filesystemFilter, List<ProcessSettings> processes, List<CheckConfig> checks,
            Map<String, ActionConfig> actions, List<RuleConfig> rules, DeploySettings deploy) {
        this(source, agent, http, samplers, filesystemFilter, processes, checks, actions, rules, deploy,
                AlertmanagerSettings.DEFAULT, List.of(), List.of());
    }

    /** The settings of sampler {@code name}: its {@code [sample.NAME]} table, or the defaults. */
    public SamplerSettings sampler(String name) {
        return samplers.getOrDefault(name, SamplerSettings.DEFAULT);
    }
}
