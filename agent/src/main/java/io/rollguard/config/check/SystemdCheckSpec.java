package io.rollguard.config.check;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/** {@code type = "systemd"}: {@code systemctl is-active} and {@code is-enabled} answer as expected for a unit. */
public record SystemdCheckSpec(String unit, Set<Expectation> expect) implements CheckSpec {
    /** What {@code systemctl} must answer. */
    public enum Expectation {
        ACTIVE, ENABLED
    }

    public SystemdCheckSpec {
        requireNonNull(unit, "unit");
        expect = Set.copyOf(expect);
    }

    @Override
    public String type() {
        return "systemd";
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.systemd(this);
    }
}
