package io.rollguard.work;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.time.FakeTime;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The workers' timeouts run on the agent's timer, counting from before the body can start. */
class WorkersTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final FakeTime time = new FakeTime();

    @Test
    void aBodyThatStepsTheClockAsSoonAsItStartsFindsItsTimeoutCounting() throws Exception {
        CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        try (Workers workers = new Workers("test-worker", 1, time)) {
            // The body steps the fake clock past its timeout at once, as a test does once it sees the body running:
            // the timeout must already be on the timer, else it starts counting from the later time and never ends.
            workers.start(() -> {
                time.advance(TIMEOUT);
                try {
                    new CompletableFuture<Void>().get(60, TimeUnit.SECONDS);
                    interrupted.complete(false);
                } catch (InterruptedException e) {
                    interrupted.complete(true);
                } catch (Exception e) {
                    interrupted.complete(false);
                }
            }, TIMEOUT, () -> true);

            assertThat(interrupted.get(60, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aBodyThatEndsFirstCancelsItsTimeout() throws Exception {
        CompletableFuture<Void> ran = new CompletableFuture<>();
        try (Workers workers = new Workers("test-worker", 1, time)) {
            workers.start(() -> ran.complete(null), TIMEOUT, () -> true);
            ran.get(60, TimeUnit.SECONDS);

            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> time.pending().isEmpty());
        }
    }
}
