package io.rollguard.time;

import java.time.Duration;

/**
 * Runs tasks after a delay measured on the agent's one time source: every timeout, retry pause and deadline of the
 * agent goes through here, so a test that steps a fake clock steps them too instead of sleeping.
 */
public interface Timer {
    /**
     * Runs {@code task} once, {@code delay} from now, on the timer's thread; the task must not block.
     *
     * @throws java.util.concurrent.RejectedExecutionException when the timer is closed (the agent is stopping)
     */
    Scheduled schedule(Duration delay, Runnable task);

    /** A task that has been scheduled. */
    interface Scheduled {
        /** Keeps the task from running, if it has not started; does nothing otherwise. */
        void cancel();
    }
}
