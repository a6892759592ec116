package io.rollguard.common;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread factories for the agent's pools. Every thread is a daemon, so a pool that a bounded shutdown gave up on
 * never keeps the JVM alive, and every thread is named for what it does ({@code rollguard-check-3}), for
 * {@code jstack} and the log.
 */
public final class DaemonThreads {
    private DaemonThreads() {}

    /** Threads named {@code prefix-1}, {@code prefix-2}, ... */
    public static ThreadFactory numbered(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> daemon(runnable, prefix + "-" + count.incrementAndGet());
    }

    /** Threads all named {@code name}: for a pool of one. */
    public static ThreadFactory named(String name) {
        return runnable -> daemon(runnable, name);
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }
}
