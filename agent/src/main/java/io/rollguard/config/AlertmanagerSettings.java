package io.rollguard.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code [alertmanager]} table: which rule an alert drives when it carries no {@code rollguard_rule} label.
 *
 * @param rules alert name ({@code alertname} label) to the name of a rule with {@code source = "alertmanager"}
 */
public record AlertmanagerSettings(Map<String, String> rules) {
    public static final AlertmanagerSettings DEFAULT = new AlertmanagerSettings(Map.of());

    public AlertmanagerSettings {
        rules = Collections.unmodifiableMap(new LinkedHashMap<>(rules));
    }
}
