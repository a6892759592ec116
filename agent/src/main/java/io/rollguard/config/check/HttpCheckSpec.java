package io.rollguard.config.check;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code type = "http"}: a request whose answer must meet every expectation.
 *
 * @param expectStatus the acceptable status codes; empty means any 2xx
 * @param expectJsonKeys top-level keys, or JSON pointers such as {@code /queue/depth}, that the body must have
 * @param expectBody a regex the body must contain a match of; null for none
 * @param expectContentType the media type the answer must declare, such as {@code application/json}; null for any
 * @param maxLatency an answer slower than this fails; null for no bound beyond the timeout
 * @param extract field name to JSON pointer: each numeric value becomes {@code rollguard_check_field{check,field}}
 */
public record HttpCheckSpec(URI url, String method, Map<String, String> headers, String body,
        List<Integer> expectStatus, List<String> expectJsonKeys, Pattern expectBody, String expectContentType,
        Duration maxLatency, boolean tlsVerify, Map<String, String> extract) implements CheckSpec {
    public HttpCheckSpec {
        requireNonNull(url, "url");
        requireNonNull(method, "method");
        headers = Map.copyOf(headers);
        requireNonNull(body, "body");
        expectStatus = List.copyOf(expectStatus);
        expectJsonKeys = List.copyOf(expectJsonKeys);
        extract = Map.copyOf(extract);
    }

    @Override
    public String type() {
        return "http";
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.http(this);
    }
}
