package io.rollguard.http;

import static io.netty.handler.codec.http.HttpResponseStatus.FORBIDDEN;
import static io.netty.handler.codec.http.HttpResponseStatus.UNAUTHORIZED;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.rollguard.config.HttpSettings;
import io.rollguard.config.Secret;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * Who may do what, decided once for every route by its method, not by each endpoint: every method other than GET
 * and HEAD mutates. A mutating request needs the {@code token_file} token when one is configured (from any
 * address, loopback included), and comes from a loopback client when none is. A read request needs the
 * {@code read_token_file} token (or the mutating one) when one is configured, except {@code /health} and
 * {@code /health/*} while {@code health_public} holds.
 */
public final class AccessPolicy {
    static final String CHALLENGE = "Bearer realm=\"rollguard\"";
    private static final String BEARER = "bearer ";

    private final Secret mutating;
    private final Secret reading;
    private final boolean healthPublic;

    /**
     * @param mutating the token mutating requests need; null for none (loopback clients only)
     * @param reading the token read requests need; null for none (open)
     */
    public AccessPolicy(Secret mutating, Secret reading, boolean healthPublic) {
        this.mutating = mutating;
        this.reading = reading;
        this.healthPublic = healthPublic;
    }

    public static AccessPolicy of(HttpSettings settings) {
        return new AccessPolicy(settings.mutatingToken().orElse(null), settings.readingToken().orElse(null),
                settings.healthPublic());
    }

    /** No tokens: reads are open, mutations are for loopback clients. */
    public static AccessPolicy loopbackOnly() {
        return new AccessPolicy(null, null, true);
    }

    static boolean mutates(HttpMethod method) {
        return !method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD);
    }

    /**
     * The answer that refuses this request, or empty when it may go on.
     *
     * @param authorization the request's {@code Authorization} header; null when absent
     */
    Optional<FullHttpResponse> refusal(HttpMethod method, String path, InetSocketAddress remote,
            String authorization) {
        if (mutates(method)) {
            if (mutating == null) {
                return remote.getAddress().isLoopbackAddress() ? Optional.empty()
                        : Optional.of(Responses.error(FORBIDDEN, method + " " + path + " is accepted from this host "
                                + "only while no [http] token_file is configured"));
            }
            return presents(authorization, mutating) ? Optional.empty() : Optional.of(unauthorized(authorization));
        }
        if (reading == null || (healthPublic && (path.equals("/health") || path.startsWith("/health/")))) {
            return Optional.empty();
        }
        return presents(authorization, reading) || (mutating != null && presents(authorization, mutating))
                ? Optional.empty() : Optional.of(unauthorized(authorization));
    }

    private static boolean presents(String authorization, Secret token) {
        if (authorization == null || authorization.length() < BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return false;
        }
        return token.matches(authorization.substring(BEARER.length()).strip());
    }

    private static FullHttpResponse unauthorized(String authorization) {
        FullHttpResponse response = Responses.error(UNAUTHORIZED, authorization == null
                ? "this request needs an Authorization: Bearer token" : "the bearer token is not the configured one");
        response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, CHALLENGE);
        return response;
    }
}
