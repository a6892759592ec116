package io.rollguard.rule;

/**
 * Where one rule stands for one label set. {@code rollguard_rule_state} exports {@link #code()}: 0 inactive, 1 pending,
 * 2 firing, 3 unknown.
 */
public enum RuleState {
    /** The condition is false. */
    INACTIVE(0),
    /** The condition is true but has not held for {@code for} yet. */
    PENDING(1),
    /** The condition has held for {@code for}: the rule's action has started. */
    FIRING(2),
    /** The data the condition reads is missing or stale: the rule neither advances nor clears. */
    UNKNOWN(3);

    private final int code;

    RuleState(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
