package io.rollguard.action;

import java.util.concurrent.CompletableFuture;

/** One configured action, {@code [action.NAME]}. The {@link ActionRunner} calls it on a worker thread. */
interface Action {
    /**
     * Runs once for {@code request}. A program runs to its end on the calling worker and the future returned is
     * complete; a webhook returns at once and its retries wait on a timer, never on a worker. The future never
     * completes exceptionally: whatever went wrong is an outcome.
     */
    CompletableFuture<ActionOutcome> run(ActionRequest request);
}
