package io.rollguard.config.action;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * What makes an action a rollback: how many may start in any hour, and the checks that must pass after it.
 *
 * @param maxPerHour rollbacks of any rule allowed in the last hour before this one may start
 * @param verify the {@code [[check]]} names that must all pass after the program exits 0; empty for none
 * @param verifyWithin how long they get to pass
 */
public record RollbackSettings(int maxPerHour, List<String> verify, Duration verifyWithin) {
    public RollbackSettings {
        verify = List.copyOf(verify);
        requireNonNull(verifyWithin, "verifyWithin");
    }
}
