package io.rollguard.check;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.jr.ob.JSON;
import io.rollguard.common.Human;
import io.rollguard.config.check.HttpCheckSpec;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP request whose answer must meet every expectation: status, content type, latency, body pattern, JSON keys.
 * Its value is the latency in seconds; numbers named by {@code extract} become fields.
 */
final class HttpCheck implements Check {
    /** Bodies are read up to this size: enough for any status document, bounded against a runaway endpoint. */
    static final int MAX_BODY = 1024 * 1024;
    /** A JSON null that is present: "has the key" holds, "is a number" does not. */
    private static final Object JSON_NULL = new Object();

    private final HttpCheckSpec spec;
    private final Duration timeout;
    private final HttpClient client;

    public HttpCheck(HttpCheckSpec spec, Duration timeout, HttpClient client) {
        this.spec = requireNonNull(spec, "spec");
        this.timeout = requireNonNull(timeout, "timeout");
        this.client = requireNonNull(client, "client");
    }

    @Override
    public CheckResult run() throws InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(spec.url()).timeout(timeout)
                .method(spec.method(), spec.body().isEmpty() ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(spec.body()));
        spec.headers().forEach(request::header);
        long started = System.nanoTime();
        HttpResponse<InputStream> response;
        String body;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                body = new String(in.readNBytes(MAX_BODY), StandardCharsets.UTF_8);
            }
        } catch (HttpConnectTimeoutException e) {
            return CheckResult.failed(spec.url() + ": no connection within " + Human.seconds(seconds(timeout)));
        } catch (HttpTimeoutException e) {
            return CheckResult.failed(spec.url() + ": no answer within " + Human.seconds(seconds(timeout)));
        } catch (ConnectException e) {
            return CheckResult.failed(spec.url() + ": connection refused");
        } catch (IOException e) {
            return CheckResult.failed(spec.url() + ": " + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage()));
        }
        double latency = (System.nanoTime() - started) / 1e9;
        int status = response.statusCode();

        Expectations expectations = new Expectations();
        if (spec.expectStatus().isEmpty()) {
            expectations.require(status >= 200 && status < 300, "HTTP " + status + " (expected 2xx)");
        } else {
            expectations.require(spec.expectStatus().contains(status), "HTTP " + status + " (expected "
                    + (spec.expectStatus().size() == 1 ? spec.expectStatus().get(0) : spec.expectStatus()) + ")");
        }
        if (spec.expectContentType() != null) {
            String contentType = response.headers().firstValue("content-type").orElse("");
            String mediaType = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
            expectations.require(mediaType.equals(spec.expectContentType().toLowerCase(Locale.ROOT)),
                    "content type " + (contentType.isEmpty() ? "missing" : "\"" + contentType + "\"") + " (expected "
                            + spec.expectContentType() + ")");
        }
        if (spec.maxLatency() != null) {
            expectations.require(latency <= seconds(spec.maxLatency()),
                    "took " + Human.seconds(latency) + " (max " + Human.seconds(seconds(spec.maxLatency())) + ")");
        }
        if (spec.expectBody() != null) {
            expectations.require(spec.expectBody().matcher(body).find(),
                    "body does not match /" + spec.expectBody().pattern() + "/");
        }
        Map<String, Double> fields = new LinkedHashMap<>();
        StringBuilder extractProblems = new StringBuilder();
        if (!spec.expectJsonKeys().isEmpty() || !spec.extract().isEmpty()) {
            Object json = parseJson(body);
            if (json == null) {
                expectations.miss("body is not JSON");
            } else {
                for (String key : spec.expectJsonKeys()) {
                    expectations.require(find(json, key) != null, "JSON has no " + key);
                }
                spec.extract().forEach((field, pointer) -> {
                    Object found = find(json, pointer);
                    if (found instanceof Number) {
                        fields.put(field, ((Number) found).doubleValue());
                    } else {
                        extractProblems.append("; ").append(field).append(": ").append(pointer)
                                .append(found == null ? " missing" : " is not a number");
                    }
                });
            }
        }
        String summary = "HTTP " + status + " in " + Human.seconds(latency) + extractProblems;
        CheckResult result = expectations.result(summary, latency);
        if (!result.ok() && extractProblems.length() > 0) {
            result = CheckResult.failed(result.message() + extractProblems, latency);
        }
        return result.withFields(fields);
    }

    private static Object parseJson(String body) {
        try {
            return JSON.std.anyFrom(body);
        } catch (IOException e) {
            return null;
        }
    }

    /** A top-level key ("count"), or a JSON pointer ("/queue/depth", "/items/0/id"); null when absent. */
    static Object find(Object json, String key) {
        if (!key.startsWith("/")) {
            if (!(json instanceof Map) || !((Map<?, ?>) json).containsKey(key)) {
                return null;
            }
            Object value = ((Map<?, ?>) json).get(key);
            return value == null ? JSON_NULL : value;
        }
        Object node = json;
        for (JsonPointer pointer = JsonPointer.compile(key); !pointer.matches(); pointer = pointer.tail()) {
            if (node instanceof Map) {
                Map<?, ?> object = (Map<?, ?>) node;
                if (!object.containsKey(pointer.getMatchingProperty())) {
                    return null;
                }
                node = object.get(pointer.getMatchingProperty());
            } else if (node instanceof List && pointer.getMatchingIndex() >= 0
                    && pointer.getMatchingIndex() < ((List<?>) node).size()) {
                node = ((List<?>) node).get(pointer.getMatchingIndex());
            } else {
                return null;
            }
            if (node == null) {
                return JSON_NULL;
            }
        }
        return node;
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }
}
