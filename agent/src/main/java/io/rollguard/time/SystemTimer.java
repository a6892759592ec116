package io.rollguard.time;

import io.rollguard.common.DaemonThreads;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The real {@link Timer}: one daemon thread on {@link System#nanoTime()}, shared by every runner of an agent (one
 * thread, not one per feature). After {@link #close()} nothing runs and {@link #schedule} refuses, as an executor
 * does.
 */
public final class SystemTimer implements Timer, AutoCloseable {
    private final ScheduledThreadPoolExecutor executor;

    public SystemTimer(String threadName) {
        this.executor = new ScheduledThreadPoolExecutor(1, DaemonThreads.named(threadName));
        executor.setRemoveOnCancelPolicy(true); // a run that settles first cancels its timeout: none piles up
    }

    @Override
    public Scheduled schedule(Duration delay, Runnable task) {
        ScheduledFuture<?> future = executor.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }

    /** The executor behind the timer, for a client that takes one (the webhooks' HTTP client and its retries). */
    public ScheduledExecutorService executor() {
        return executor;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
