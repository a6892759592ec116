package io.rollguard.action;

import static java.util.Objects.requireNonNull;

import io.rollguard.action.ActionOutcome.Result;
import io.rollguard.common.Failures;
import io.rollguard.common.Json;
import io.rollguard.common.Quantities;
import io.rollguard.config.action.WebhookActionConfig;
import io.rollguard.time.TimeSource;
import io.rollguard.time.Timer;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code type = "webhook"}: POSTs the event as JSON. An attempt succeeds on a 2xx answer. A failed one is retried
 * after a backoff that doubles each time (1 s, 2 s, 4 s, ...), when another attempt can help: no answer, a 5xx, 408 or
 * 429. Any other answer (400, 401, 404, ...) will not change by asking again. The waits are timer tasks, so no thread
 * waits through a backoff. Neither the URL beyond its host nor the headers are ever logged: they carry tokens.
 */
final class WebhookAction implements Action {
    private static final Logger log = LoggerFactory.getLogger(WebhookAction.class);

    static final Duration BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);
    /** How much of an answer's body is kept: enough for an error message such as Slack's "invalid_token". */
    static final int KEPT_ANSWER_BYTES = 1024;
    private static final int MESSAGE_ANSWER_CHARS = 200;

    private final WebhookActionConfig config;
    private final boolean dryRun;
    private final HttpClient client;
    private final Timer timer;
    private final TimeSource time;
    private final Duration backoff;

    /**
     * @param dryRun the action's {@code dry_run} or {@code [agent] dry_run}
     * @param timer runs the retries after their backoff and cuts off attempts that outlive the timeout
     * @param backoff the wait after the first failed attempt; each later wait doubles it
     */
    WebhookAction(WebhookActionConfig config, boolean dryRun, HttpClient client, Timer timer,
            TimeSource time, Duration backoff) {
        this.config = requireNonNull(config, "config");
        this.dryRun = dryRun;
        this.client = requireNonNull(client, "client");
        this.timer = requireNonNull(timer, "timer");
        this.time = requireNonNull(time, "time");
        this.backoff = requireNonNull(backoff, "backoff");
    }

    @Override
    public CompletableFuture<ActionOutcome> run(ActionRequest request) {
        if (dryRun) {
            String message = "would POST the event to " + config.redactedUrl();
            log.info("{}: dry run: {}", config.name(), message);
            return CompletableFuture.completedFuture(ActionOutcome.of(Result.DRY_RUN, Duration.ZERO, message));
        }
        Delivery delivery = new Delivery(Json.bytes(request.event()), time.nanoTime());
        delivery.attempt(1);
        return delivery.outcome;
    }

    /** One event on its way. Its attempts follow one another, each started by the end of the one before. */
    private final class Delivery {
        private final byte[] body;
        private final long started;
        private final int attempts = config.retries() + 1;
        /** One line per attempt, at most {@code retries + 1} short lines: the outcome's output. */
        private final StringBuilder record = new StringBuilder();
        final CompletableFuture<ActionOutcome> outcome = new CompletableFuture<>();

        Delivery(byte[] body, long started) {
            this.body = body;
            this.started = started;
        }

        void attempt(int number) {
            HttpRequest.Builder builder = HttpRequest.newBuilder(config.url()).timeout(config.timeout())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            config.headers().forEach(builder::setHeader);
            Answer answer = new Answer();
            AtomicBoolean expired = new AtomicBoolean();
            CompletableFuture<HttpResponse<Void>> response;
            Timer.Scheduled deadline;
            try {
                response = client.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofByteArrayConsumer(answer));
                // The request's own timeout ends with the answer's headers; this one covers a body that never ends.
                deadline = timer.schedule(config.timeout(), () -> {
                    expired.set(true);
                    response.cancel(true);
                });
            } catch (RejectedExecutionException e) {
                finish(Result.FAILED, "stopped before attempt " + number + " ended: the agent is stopping");
                return;
            } catch (IllegalArgumentException e) {
                finish(Result.FAILED, "cannot send: " + e.getMessage());
                return;
            }
            response.whenComplete((answered, error) -> {
                deadline.cancel();
                settle(number, answered, error, expired.get(), answer);
            });
        }

        private void settle(int number, HttpResponse<Void> response, Throwable error, boolean expired, Answer answer) {
            if (error == null && response.statusCode() / 100 == 2) {
                record.append("attempt ").append(number).append(": HTTP ").append(response.statusCode()).append('\n');
                finish(Result.OK, "delivered: HTTP " + response.statusCode()
                        + (number > 1 ? " on attempt " + number + " of " + attempts : ""));
                return;
            }
            String failure;
            boolean retryable;
            boolean timedOut = false;
            if (error == null) {
                int status = response.statusCode();
                failure = "HTTP " + status + answer.text().map(text -> ": " + text).orElse("");
                retryable = status / 100 == 5 || status == 408 || status == 429;
            } else {
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                timedOut = expired || cause instanceof HttpTimeoutException;
                failure = timedOut ? "no answer within " + Quantities.formatDuration(config.timeout())
                        : cause instanceof Exception ? Failures.describe((Exception) cause) : cause.toString();
                retryable = true;
            }
            record.append("attempt ").append(number).append(": ").append(failure).append('\n');
            String brief = failure.length() > MESSAGE_ANSWER_CHARS
                    ? failure.substring(0, MESSAGE_ANSWER_CHARS) + "..." : failure;
            if (retryable && number < attempts) {
                Duration wait = backoff(number);
                log.info("{}: attempt {} of {} failed ({}); retrying in {}", config.name(), number, attempts, brief,
                        Quantities.formatDuration(wait));
                try {
                    timer.schedule(wait, () -> attempt(number + 1));
                } catch (RejectedExecutionException e) {
                    finish(Result.FAILED, "stopped after attempt " + number + " (" + brief + "): the agent is stopping");
                }
                return;
            }
            String how = !retryable ? "failed, not retried (an answer that asking again will not change)"
                    : number == 1 ? "failed" : "failed after " + number + " attempts";
            finish(timedOut ? Result.TIMEOUT : Result.FAILED, how + ": " + brief);
        }

        private void finish(Result result, String message) {
            if (result == Result.OK) {
                log.info("{}: {}", config.name(), message);
            } else {
                log.warn("{}: {}", config.name(), message);
            }
            outcome.complete(new ActionOutcome(result, null, Duration.ofNanos(time.nanoTime() - started),
                    record.toString(), message));
        }
    }

    Duration backoff(int failedAttempt) {
        Duration wait = backoff.multipliedBy(1L << Math.min(failedAttempt - 1, 20));
        return wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait;
    }

    /** The start of an answer's body, kept while the rest is read and dropped. */
    private static final class Answer implements Consumer<Optional<byte[]>> {
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();

        @Override
        public synchronized void accept(Optional<byte[]> chunk) {
            chunk.ifPresent(bytes -> kept.write(bytes, 0, Math.min(bytes.length, KEPT_ANSWER_BYTES - kept.size())));
        }

        /** The kept body on one line, if it has anything to say. */
        synchronized Optional<String> text() {
            String text = new String(kept.toByteArray(), StandardCharsets.UTF_8)
                    .replaceAll("\\s+", " ").strip();
            return text.isEmpty() ? Optional.empty() : Optional.of(text);
        }
    }
}
