package io.rollguard.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every series name the agent itself writes, by what writes it, so that the loader can tell a {@code when} that
 * reads a series nothing will ever produce (a typo: the rule would stay {@code unknown} for ever) from one that
 * reads a real series. The producers declare their own families ({@code MetricFamily} constants); tests run each of
 * them and fail when one writes a family missing here, so this list cannot drift from what they write.
 */
public final class MetricCatalogue {
    // The one place the host samplers are named, with what each writes (SAMPLERS): each sampler's name() returns its
    // constant, a [sample.NAME] table must name one of them, and rollguard_sampler_*{sampler} carries it. A new
    // sampler is its class, a line in HostSamplers, and its name and series here.
    public static final String CPU = "cpu";
    public static final String MEMORY = "memory";
    public static final String FILESYSTEM = "filesystem";
    public static final String DISK = "disk";
    public static final String NETWORK = "network";
    public static final String SHM = "shm";
    public static final String PORTS = "ports";
    public static final String PROCESSES = "processes";

    /** The part of the {@code processes} sampler's families written only for {@code [[process]]} entries. */
    public static final List<String> WATCHED_PROCESSES = List.of("rollguard_process_up", "rollguard_process_instances",
            "rollguard_process_resident_memory_bytes", "rollguard_process_cpu_usage_ratio",
            "rollguard_process_open_fds", "rollguard_process_threads", "rollguard_process_start_time_seconds",
            "rollguard_process_restarts_total");

    /** What each host sampler ({@code [sample.NAME]}) writes, by sampler name. */
    public static final Map<String, List<String>> SAMPLERS = samplers(); // after WATCHED_PROCESSES, which it reads

    /** What every {@code [[check]]} writes. */
    public static final List<String> CHECKS = List.of("rollguard_check_up", "rollguard_check_duration_seconds",
            "rollguard_check_value", "rollguard_check_failures_total");

    /** What an {@code http} check with {@code extract} writes, for each field it extracts. */
    public static final String CHECK_FIELD = "rollguard_check_field";

    /** What the agent writes for every {@code [[source]]}, whatever it reads. */
    public static final List<String> SOURCES = List.of("rollguard_source_up", "rollguard_source_duration_seconds",
            "rollguard_source_errors_total", "rollguard_source_series");

    /** What the agent writes of itself whatever its configuration: deployments, rules, actions, HTTP, ... */
    public static final List<String> AGENT = List.of("rollguard_build_info",
            "rollguard_config_last_reload_successful", "rollguard_config_last_reload_success_timestamp_seconds",
            "rollguard_http_connections", "rollguard_http_connections_refused_total",
            "rollguard_http_connections_evicted_total",
            "rollguard_sampler_success", "rollguard_sampler_duration_seconds", "rollguard_sampler_errors_total",
            "rollguard_rule_state", "rollguard_rule_value", "rollguard_rule_firing_since_seconds",
            "rollguard_rule_evaluation_failures_total", "rollguard_rule_series", "rollguard_rule_info",
            "rollguard_actions_total", "rollguard_action_duration_seconds", "rollguard_rolled_back",
            "rollguard_rule_silenced", "rollguard_rollback_verified", "rollguard_rollbacks_total",
            "rollguard_journal_errors_total", "rollguard_journal_dropped_total",
            "rollguard_state_ok",
            "rollguard_deployment_info", "rollguard_deployment_watching", "rollguard_deployment_score",
            "rollguard_deployment_started_timestamp_seconds");

    private MetricCatalogue() {}

    private static Map<String, List<String>> samplers() {
        Map<String, List<String>> samplers = new LinkedHashMap<>();
        samplers.put(CPU, List.of("rollguard_cpu_usage_ratio", "rollguard_cpu_mode_ratio", "rollguard_cpu_cores",
                "rollguard_cpu_physical_cores", "rollguard_load1", "rollguard_load5", "rollguard_load15"));
        samplers.put(MEMORY, List.of("rollguard_memory_total_bytes", "rollguard_memory_available_bytes",
                "rollguard_memory_used_ratio", "rollguard_swap_total_bytes", "rollguard_swap_used_bytes",
                "rollguard_swap_used_ratio"));
        samplers.put(FILESYSTEM, List.of("rollguard_filesystem_size_bytes", "rollguard_filesystem_free_bytes",
                "rollguard_filesystem_available_bytes", "rollguard_filesystem_used_ratio",
                "rollguard_filesystem_inodes", "rollguard_filesystem_inodes_free"));
        samplers.put(DISK, List.of("rollguard_disk_read_bytes_total", "rollguard_disk_written_bytes_total",
                "rollguard_disk_reads_total", "rollguard_disk_writes_total", "rollguard_disk_io_time_seconds_total"));
        samplers.put(NETWORK, List.of("rollguard_network_receive_bytes_total",
                "rollguard_network_transmit_bytes_total", "rollguard_network_receive_packets_total",
                "rollguard_network_transmit_packets_total", "rollguard_network_receive_errors_total",
                "rollguard_network_transmit_errors_total", "rollguard_network_receive_drops_total",
                "rollguard_network_transmit_drops_total"));
        samplers.put(SHM, List.of("rollguard_shm_segment_bytes", "rollguard_shm_segment_attached",
                "rollguard_shm_segments", "rollguard_shm_bytes"));
        samplers.put(PORTS, List.of("rollguard_port_listening", "rollguard_tcp_connections"));
        Set<String> processes = new LinkedHashSet<>(List.of("rollguard_processes", "rollguard_host_uptime_seconds",
                "rollguard_host_boot_time_seconds"));
        processes.addAll(WATCHED_PROCESSES);
        samplers.put(PROCESSES, List.copyOf(processes));
        return Collections.unmodifiableMap(samplers);
    }

    /** Every name in the catalogue, whatever writes it. */
    public static Set<String> all() {
        Set<String> names = new LinkedHashSet<>();
        SAMPLERS.values().forEach(names::addAll);
        names.addAll(CHECKS);
        names.add(CHECK_FIELD);
        names.addAll(SOURCES);
        names.addAll(AGENT);
        return names;
    }
}
