package io.rollguard.action;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One run of an action, as the rule engine asks for it.
 *
 * @param action the {@code NAME} of {@code [action.NAME]}
 * @param environment the variables that describe the breach ({@code ROLLGUARD_RULE}, {@code ROLLGUARD_SEVERITY},
 *     {@code ROLLGUARD_VALUE}, ...), added to a program's environment on top of the action's {@code env}
 * @param event the event as JSON-ready values (maps, lists, strings, numbers, booleans, nulls): a program's
 *     standard input, a webhook's body
 */
public record ActionRequest(String action, Map<String, String> environment, Map<String, Object> event) {
    public ActionRequest {
        requireNonNull(action, "action");
        environment = Map.copyOf(environment);
        environment.forEach((name, value) -> {
            // What the process launcher would reject later, with a message about nobody's configuration.
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0 || value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("not an environment variable: \"" + name + "\"");
            }
        });
        // Keeps the engine's key order in the JSON, and its null values, which Map.copyOf refuses.
        event = Collections.unmodifiableMap(new LinkedHashMap<>(event));
    }
}
