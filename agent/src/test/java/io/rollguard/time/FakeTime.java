package io.rollguard.time;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A clock that moves only when a test says so; monotonic and wall time advance together unless the wall jumps.
 * It is also the agent's {@link Timer}: {@link #advance} runs, on the test's thread and in the order they fall due,
 * the timeouts, retries and deadlines that the step passes, so a test steps a timeout instead of sleeping through it.
 */
public final class FakeTime implements TimeSource, Timer {
    private long nanos = 1_000_000_000L; // guarded by this
    private Instant wall = Instant.parse("2026-01-01T00:00:00Z"); // guarded by this
    private long sequence; // guarded by this: ties run in the order they were scheduled
    private final PriorityQueue<Task> tasks = new PriorityQueue<>(
            Comparator.comparingLong(Task::dueNanos).thenComparingLong(Task::sequence)); // guarded by this

    private record Task(long dueNanos, long sequence, Runnable body, boolean[] cancelled) {}

    @Override
    public synchronized long nanoTime() {
        return nanos;
    }

    @Override
    public synchronized Instant now() {
        return wall;
    }

    @Override
    public synchronized Scheduled schedule(Duration delay, Runnable task) {
        boolean[] cancelled = new boolean[1];
        tasks.add(new Task(nanos + Math.max(0, delay.toNanos()), sequence++, task, cancelled));
        return () -> {
            synchronized (FakeTime.this) {
                cancelled[0] = true;
            }
        };
    }

    /** Moves both clocks forward by {@code step}, running each timer task due on the way at its own time. */
    public FakeTime advance(Duration step) {
        long target;
        synchronized (this) {
            target = nanos + step.toNanos();
        }
        while (true) {
            Task next;
            synchronized (this) {
                Task head = tasks.peek();
                if (head == null || head.dueNanos() - target > 0) {
                    wall = wall.plusNanos(target - nanos);
                    nanos = target;
                    return this;
                }
                next = tasks.poll();
                wall = wall.plusNanos(Math.max(0, next.dueNanos() - nanos));
                nanos = Math.max(nanos, next.dueNanos());
                if (next.cancelled()[0]) {
                    continue;
                }
            }
            next.body().run(); // outside the lock: the task may read the clock or schedule another
        }
    }

    /** The timer tasks not yet run or cancelled, for a test that checks nothing is left waiting. */
    public synchronized List<Duration> pending() {
        List<Duration> due = new ArrayList<>();
        for (Task task : tasks) {
            if (!task.cancelled()[0]) {
                due.add(Duration.ofNanos(task.dueNanos() - nanos));
            }
        }
        return due;
    }

    /** Sets the wall clock forward (or back, for a negative jump) as an administrator or NTP would; monotonic time
     * does not move. */
    public synchronized FakeTime jumpWallClock(Duration jump) {
        wall = wall.plus(jump);
        return this;
    }
}
