package io.rollguard.work;

import static java.util.Objects.requireNonNull;

import io.rollguard.common.DaemonThreads;
import io.rollguard.time.Timer;
import java.time.Duration;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A bounded pool of daemon workers whose every task has a timeout on the agent's {@link Timer}: what checks, sources
 * and actions run on, never the scheduler thread. At the timeout the task's own {@code expire} decides whether the
 * worker is interrupted (it settles the run as timed out and says whether it did); a task that ends first cancels
 * its timeout. Idle workers end after a minute, so a pool sized for a reload's peak does not keep its threads.
 */
public final class Workers implements AutoCloseable {
    private static final Duration IDLE_THREAD = Duration.ofMinutes(1);

    private final ThreadPoolExecutor pool;
    private final Timer timer;

    /** @param size the most tasks that run at once; more wait in line */
    public Workers(String threadName, int size, Timer timer) {
        this.timer = requireNonNull(timer, "timer");
        int threads = Math.max(1, size);
        this.pool = new ThreadPoolExecutor(threads, threads, IDLE_THREAD.toSeconds(), TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), DaemonThreads.numbered(threadName));
        pool.allowCoreThreadTimeOut(true);
    }

    /**
     * Runs {@code body} on a worker; if it has not ended {@code timeout} from now, calls {@code expire} on the timer's
     * thread and interrupts the worker when that returns true.
     *
     * @throws RejectedExecutionException when the workers are closed
     */
    public void start(Runnable body, Duration timeout, BooleanSupplier expire) {
        requireNonNull(expire, "expire");
        TimedTask task = new TimedTask(body);
        FutureTask<Void> future = new FutureTask<>(task, null);
        // The deadline is set before the body can start: a body that starts at once and waits for time to pass (a
        // test stepping a fake clock as soon as it runs) must find its deadline already counting.
        Timer.Scheduled deadline = timer.schedule(timeout, () -> {
            if (expire.getAsBoolean()) {
                future.cancel(true);
            }
        });
        task.deadline(deadline);
        try {
            pool.execute(future);
        } catch (RejectedExecutionException e) {
            deadline.cancel();
            throw e;
        }
    }

    /** Runs {@code body} on a worker with no timeout of its own (it bounds itself, as a program run does). */
    public void execute(Runnable body) {
        pool.execute(body);
    }

    /** The timer the timeouts run on, for a task that schedules its own follow-up (a retry after a pause). */
    public Timer timer() {
        return timer;
    }

    /** Sets how many tasks run at once; a reload that adds checks or actions grows it, one that removes them shrinks it. */
    public void resize(int size) {
        int threads = Math.max(1, size);
        if (threads > pool.getMaximumPoolSize()) {
            pool.setMaximumPoolSize(threads);
            pool.setCorePoolSize(threads);
        } else {
            pool.setCorePoolSize(threads);
            pool.setMaximumPoolSize(threads);
        }
    }

    public int size() {
        return pool.getMaximumPoolSize();
    }

    /** Interrupts what runs and drops what waits, then waits up to {@code wait} for the workers to end. */
    public void close(Duration wait) {
        pool.shutdownNow();
        try {
            pool.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(2));
    }

    /** The body, and the timeout it cancels when it ends first. */
    private static final class TimedTask implements Runnable {
        private final Runnable body;
        private Timer.Scheduled deadline; // guarded by this
        private boolean ended; // guarded by this

        TimedTask(Runnable body) {
            this.body = requireNonNull(body, "body");
        }

        @Override
        public void run() {
            try {
                body.run();
            } finally {
                Timer.Scheduled scheduled;
                synchronized (this) {
                    ended = true;
                    scheduled = deadline;
                }
                if (scheduled != null) {
                    scheduled.cancel();
                }
            }
        }

        void deadline(Timer.Scheduled scheduled) {
            boolean cancelNow;
            synchronized (this) {
                deadline = scheduled;
                cancelNow = ended;
            }
            if (cancelNow) {
                scheduled.cancel();
            }
        }
    }
}
