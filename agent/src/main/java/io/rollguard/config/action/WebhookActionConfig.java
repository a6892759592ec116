package io.rollguard.config.action;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code type = "webhook"}: the event as JSON, POSTed to {@code url}.
 *
 * @param timeout how long one attempt may take, from connecting to the end of the answer
 * @param headers sent with every attempt, after {@code Content-Type: application/json} (which they may replace)
 * @param retries attempts after the first one fails, with exponential backoff
 * @param repeatInterval how often the rule engine sends a reminder while the rule keeps firing; null for never
 */
public record WebhookActionConfig(String name, URI url, Duration timeout, Map<String, String> headers, int retries,
        Duration repeatInterval, boolean dryRun) implements ActionConfig {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_RETRIES = 3;

    public WebhookActionConfig {
        requireNonNull(name, "name");
        requireNonNull(url, "url");
        requireNonNull(timeout, "timeout");
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        if (retries < 0) {
            throw new IllegalArgumentException("retries must not be negative, got " + retries);
        }
    }

    /** The settings a test or a caller needs most: {@code url} with every other key at its default. */
    public static WebhookActionConfig of(String name, URI url) {
        return new WebhookActionConfig(name, url, DEFAULT_TIMEOUT, Map.of(), DEFAULT_RETRIES, null, false);
    }

    @Override
    public String type() {
        return "webhook";
    }

    @Override
    public boolean rollback() {
        return false;
    }

    @Override
    public Optional<Duration> reminderInterval() {
        return Optional.ofNullable(repeatInterval);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.webhook(this);
    }

    /** Scheme, host and port only: chat webhooks carry their token in the path, some URLs a password. */
    public String redactedUrl() {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort()) + "/...";
    }

    // URLs and headers carry tokens (Slack's path, Authorization): a configuration that gets logged hides them.
    @Override
    public String toString() {
        return "WebhookActionConfig[name=" + name + ", url=" + redactedUrl() + ", timeout=" + timeout
                + ", headers=" + headers.keySet() + ", retries=" + retries + ", repeatInterval=" + repeatInterval
                + ", dryRun=" + dryRun + "]";
    }
}
