package io.rollguard.config.action;

import java.time.Duration;
import java.util.Optional;

/**
 * One {@code [action.NAME]} table: what runs when a rule fires. A new type breaks every visitor at compile time, so
 * none forgets it.
 */
public sealed interface ActionConfig permits ExecActionConfig, WebhookActionConfig {
    /** The {@code NAME} of {@code [action.NAME]}, which rules refer to. */
    String name();

    /** The {@code type} key that selects it, such as {@code exec}. */
    String type();

    /** Whether a run records what it would do and does nothing ({@code [agent] dry_run} applies on top). */
    boolean dryRun();

    /** Whether the action rolls a deployment back: latched, rate-limited and verified. Never a webhook. */
    boolean rollback();

    /**
     * What the rule engine does with the action besides running it, asked of every type alike (so that the
     * responder never asks which type an action is): how often a firing rule repeats it as a reminder; empty for
     * never.
     */
    default Optional<Duration> reminderInterval() {
        return Optional.empty();
    }

    /** The action to run when this one fails (or, for a rollback, fails its verification); empty for none. */
    default Optional<String> fallback() {
        return Optional.empty();
    }

    /** A rollback's bounds and checks; present exactly when {@link #rollback()} is true. */
    default Optional<RollbackSettings> rollbackSettings() {
        return Optional.empty();
    }

    <R> R accept(Visitor<R> visitor);

    /** One method per action type. */
    interface Visitor<R> {
        R exec(ExecActionConfig config);

        R webhook(WebhookActionConfig config);
    }
}
