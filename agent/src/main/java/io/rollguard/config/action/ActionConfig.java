package io.rollguard.config.action;

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

    <R> R accept(Visitor<R> visitor);

    /** One method per action type. */
    interface Visitor<R> {
        R exec(ExecActionConfig config);

        R webhook(WebhookActionConfig config);
    }
}
