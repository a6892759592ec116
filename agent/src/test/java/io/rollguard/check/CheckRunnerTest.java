package io.rollguard.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rollguard.config.CheckConfig;
import io.rollguard.config.check.TcpCheckSpec;
import io.rollguard.health.CheckStatus;
import io.rollguard.health.Status;
import io.rollguard.store.Series;
import io.rollguard.store.SeriesStore;
import io.rollguard.time.FakeTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CheckRunnerTest {
    private final FakeTime time = new FakeTime();
    private final SeriesStore store = new SeriesStore();
    private CheckRunner runner;

    @AfterEach
    void close() {
        runner.close();
    }

    @Test
    void aCheckThatIgnoresInterruptsIsCutOffAndDelaysNoOther() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        Check stuck = () -> {
            while (true) {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    // a badly behaved check: swallows the interrupt and keeps waiting
                }
            }
        };
        CheckRunner checks = new CheckRunner(List.of(config("stuck", Duration.ofMillis(200)), config("quick", Duration.ofSeconds(5))),
                checks(Map.of("stuck", stuck, "quick", () -> CheckResult.passed("fine", 1))), store, time, time);
        runner = checks;

        java.util.concurrent.CompletableFuture<List<CheckRunner.Outcome>> running = checks.runAllOnce();
        time.advance(Duration.ofMillis(200)); // the runner's timeout, on the fake clock: no real waiting
        List<CheckRunner.Outcome> outcomes = running.get(30, TimeUnit.SECONDS);

        assertThat(outcomes).extracting(o -> o.config().name() + ": " + o.result().message())
                .containsExactly("stuck: timed out after 200 ms", "quick: fine");
        // The outcome is published by the check's body, and its timeout is cancelled by the worker right after: a
        // moment later, on another thread.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(time.pending()).as("the quick check's timeout was cancelled when it passed").isEmpty());
    }

    @Test
    void aCheckHasAtMostOneRunInFlight() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        Check slow = () -> {
            started.incrementAndGet();
            release.await();
            return CheckResult.passed("done", 0);
        };
        runner = new CheckRunner(List.of(config("slow", Duration.ofMinutes(5))), checks(Map.of("slow", slow)),
                store, time, time);

        runner.startDue(time.nanoTime());
        time.advance(Duration.ofMinutes(2)); // four intervals later, the first run still going
        runner.startDue(time.nanoTime());
        release.countDown();

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> runner.statuses().get(0).status() == Status.UP);
        assertThat(started.get()).isEqualTo(1);
    }

    @Test
    void resultsLandInTheStoreAndInTheStatusWithSinceAndFailures() throws Exception {
        AtomicInteger run = new AtomicInteger();
        Check flaky = () -> run.incrementAndGet() == 2 ? CheckResult.failed("HTTP 503 (expected 2xx)", 0.25)
                : CheckResult.passed("HTTP 200 in 12 ms", 0.012).withFields(Map.of("depth", 7.0));
        runner = new CheckRunner(List.of(config("api", Duration.ofSeconds(5))), checks(Map.of("api", flaky)),
                store, time, time);

        runner.runAllOnce().get(30, TimeUnit.SECONDS);
        assertThat(series()).containsEntry("rollguard_check_up{check=\"api\"}", 1.0)
                .containsEntry("rollguard_check_value{check=\"api\"}", 0.012)
                .containsEntry("rollguard_check_field{check=\"api\",field=\"depth\"}", 7.0)
                .containsEntry("rollguard_check_failures_total{check=\"api\"}", 0.0)
                .containsKey("rollguard_check_duration_seconds{check=\"api\"}");
        time.advance(Duration.ofSeconds(30));
        runner.runAllOnce().get(30, TimeUnit.SECONDS);

        CheckStatus status = runner.statuses().get(0);
        assertThat(status.status()).isEqualTo(Status.DOWN);
        assertThat(status.message()).isEqualTo("HTTP 503 (expected 2xx)");
        assertThat(status.since()).isEqualTo(time.now());
        assertThat(status.failures()).isEqualTo(1);
        assertThat(series()).containsEntry("rollguard_check_up{check=\"api\"}", 0.0)
                .containsEntry("rollguard_check_failures_total{check=\"api\"}", 1.0)
                .doesNotContainKey("rollguard_check_field{check=\"api\",field=\"depth\"}");
    }

    @Test
    void aCheckThatCannotRunIsAFailureNotADeadWorker() throws Exception {
        runner = new CheckRunner(List.of(config("broken", Duration.ofSeconds(5))),
                checks(Map.of("broken", () -> {
                    throw new java.io.IOException("permission denied");
                })), store, time, time);

        assertThat(runner.runAllOnce().get(30, TimeUnit.SECONDS).get(0).result().message())
                .isEqualTo("could not run: IOException: permission denied");
    }

    @Test
    void beforeItsFirstRunACheckIsUnknown() {
        runner = new CheckRunner(List.of(config("api", Duration.ofSeconds(5))),
                checks(Map.of("api", () -> CheckResult.passed("ok", 0))), store, time, time);

        assertThat(runner.statuses().get(0).status()).isEqualTo(Status.UNKNOWN);
    }

    @Test
    void aReloadKeepsUnchangedChecksWithTheirResultsAndScheduleAndRestartsChangedOnes() throws Exception {
        Map<String, AtomicInteger> runs = Map.of("kept", new AtomicInteger(), "changed", new AtomicInteger(),
                "removed", new AtomicInteger(), "added", new AtomicInteger());
        Function<CheckConfig, Check> counting = config -> () -> {
            runs.get(config.name()).incrementAndGet();
            return CheckResult.passed(config.name() + " ok", 1);
        };
        runner = new CheckRunner(List.of(config("kept", Duration.ofSeconds(5)), config("changed", Duration.ofSeconds(5)),
                config("removed", Duration.ofSeconds(5))), counting, store, time, time);
        runner.startDue(time.nanoTime());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> runner.statuses().stream().allMatch(s -> s.status() == Status.UP));

        time.advance(Duration.ofSeconds(10)); // a third of the interval: nothing is due
        runner.reconfigure(List.of(config("kept", Duration.ofSeconds(5)), config("changed", Duration.ofSeconds(7)),
                config("added", Duration.ofSeconds(5))));

        assertThat(runner.statuses()).extracting(s -> s.name() + " " + s.status() + " " + s.message())
                .containsExactly("kept UP kept ok", "changed UNKNOWN not run yet", "added UNKNOWN not run yet");
        assertThat(series()).containsKey("rollguard_check_up{check=\"kept\"}")
                .containsKey("rollguard_check_up{check=\"changed\"}")
                .doesNotContainKey("rollguard_check_up{check=\"removed\"}");

        runner.startDue(time.nanoTime());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> runner.statuses().stream().allMatch(s -> s.status() == Status.UP));
        assertThat(runs).allSatisfy((name, count) -> assertThat(count.get()).as(name).isEqualTo(
                name.equals("changed") ? 2 : 1));
    }

    @Test
    void aCheckRemovedWhileRunningIsNotWaitedForAndEndsUnrecordedThenClosed() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        class Slow implements Check, java.io.Closeable {
            @Override
            public CheckResult run() throws InterruptedException {
                running.countDown();
                release.await();
                return CheckResult.failed("late");
            }

            @Override
            public void close() {
                closed.countDown();
            }
        }
        runner = new CheckRunner(List.of(config("slow", Duration.ofMinutes(5))), checks(Map.of("slow", new Slow())),
                store, time, time);
        runner.startDue(time.nanoTime());
        assertThat(running.await(20, TimeUnit.SECONDS)).isTrue();

        runner.reconfigure(List.of()); // returns although the run goes on
        assertThat(closed.getCount()).as("not closed under a running check").isEqualTo(1);
        release.countDown();

        assertThat(closed.await(20, TimeUnit.SECONDS)).as("closed once its run ended").isTrue();
        assertThat(runner.statuses()).isEmpty();
        assertThat(series()).doesNotContainKey("rollguard_check_up{check=\"slow\"}");
    }

    private Map<String, Double> series() {
        return store.fresh(time.nanoTime()).stream()
                .collect(Collectors.toMap(s -> s.key().toString(), Series::value));
    }

    private static CheckConfig config(String name, Duration timeout) {
        return new CheckConfig(name, "", Duration.ofSeconds(30), timeout, false, List.of(), new TcpCheckSpec("x", 1));
    }

    /** Hands out the given checks by name, whatever their configuration says. */
    private static Function<CheckConfig, Check> checks(Map<String, Check> checks) {
        return config -> checks.get(config.name());
    }
}
