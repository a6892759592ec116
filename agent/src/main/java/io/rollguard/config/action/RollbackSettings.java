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
 * @param onUnpersisted whether it runs when its latch cannot be written ({@code on_unpersisted})
 */
public record RollbackSettings(int maxPerHour, List<String> verify, Duration verifyWithin,
        OnUnpersisted onUnpersisted) {
    /** What a rollback does when its latch cannot reach the disk, neither state.json nor the space reserved for it. */
    public enum OnUnpersisted {
        /** Runs all the same: a rollback that waits for a disk is worse than one that may repeat after a crash. */
        ACT,
        /** Waits, trying again at every tick, until the latch can be written: for actions that must never repeat. */
        HOLD
    }

    public RollbackSettings {
        verify = List.copyOf(verify);
        requireNonNull(verifyWithin, "verifyWithin");
        requireNonNull(onUnpersisted, "onUnpersisted");
    }

    /** Settings that act when the latch cannot be written, the default. */
    public RollbackSettings(int maxPerHour, List<String> verify, Duration verifyWithin) {
        this(maxPerHour, verify, verifyWithin, OnUnpersisted.ACT);
    }
}
