package io.rollguard.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.rollguard.config.Secret;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Who may do what, by method, path, address and token: one rule for every route, today's and tomorrow's. */
class AccessPolicyTest {
    private static final Secret WRITE = new Secret("write-token");
    private static final Secret READ = new Secret("read-token");
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 40000);
    private static final InetSocketAddress LOOPBACK6 = new InetSocketAddress("::1", 40000);
    private static final InetSocketAddress REMOTE = new InetSocketAddress("192.0.2.7", 40000);

    static Stream<Arguments> cases() {
        AccessPolicy none = AccessPolicy.loopbackOnly();
        AccessPolicy write = new AccessPolicy(WRITE, null, true);
        AccessPolicy both = new AccessPolicy(WRITE, READ, true);
        AccessPolicy privateHealth = new AccessPolicy(WRITE, READ, false);
        AccessPolicy readOnly = new AccessPolicy(null, READ, true);
        return Stream.of(
                Arguments.of("no token: POST from loopback", none, "POST", "/api/v1/rearm", LOOPBACK, null, 0),
                Arguments.of("no token: POST from ::1", none, "POST", "/-/reload", LOOPBACK6, null, 0),
                Arguments.of("no token: POST from elsewhere", none, "POST", "/api/v1/rearm", REMOTE, null, 403),
                Arguments.of("no token: a future POST route", none, "POST", "/api/v1/alertmanager", REMOTE, null, 403),
                Arguments.of("no token: DELETE is mutating", none, "DELETE", "/api/v1/x", REMOTE, null, 403),
                Arguments.of("no token: reads are open", none, "GET", "/metrics", REMOTE, null, 0),
                Arguments.of("token: from elsewhere with it", write, "POST", "/-/reload", REMOTE, "Bearer write-token", 0),
                Arguments.of("token: loopback without it", write, "POST", "/-/reload", LOOPBACK, null, 401),
                Arguments.of("token: wrong one", write, "POST", "/api/v1/rearm", LOOPBACK, "Bearer nope", 401),
                Arguments.of("token: the read one", both, "POST", "/api/v1/rearm", LOOPBACK, "Bearer read-token", 401),
                Arguments.of("token: reads stay open", write, "GET", "/api/v1/rules", REMOTE, null, 0),
                Arguments.of("read token: missing", both, "GET", "/metrics", REMOTE, null, 401),
                Arguments.of("read token: HEAD too", both, "HEAD", "/metrics", LOOPBACK, null, 401),
                Arguments.of("read token: given", both, "GET", "/metrics", REMOTE, "Bearer read-token", 0),
                Arguments.of("read token: the write one reads", both, "GET", "/api/v1/events", REMOTE,
                        "Bearer write-token", 0),
                Arguments.of("read token: /health public", both, "GET", "/health", REMOTE, null, 0),
                Arguments.of("read token: /health/TAG public", both, "GET", "/health/db", REMOTE, null, 0),
                Arguments.of("read token: /healthz is not /health", both, "GET", "/healthz", REMOTE, null, 401),
                Arguments.of("health_public = false", privateHealth, "GET", "/health", REMOTE, null, 401),
                Arguments.of("health_public = false, token", privateHealth, "GET", "/health", REMOTE,
                        "Bearer read-token", 0),
                Arguments.of("read token only: POST loopback", readOnly, "POST", "/api/v1/rearm", LOOPBACK, null, 0),
                Arguments.of("read token only: POST elsewhere", readOnly, "POST", "/api/v1/rearm", REMOTE,
                        "Bearer read-token", 403));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decides(String name, AccessPolicy policy, String method, String path, InetSocketAddress remote,
            String authorization, int refusedWith) {
        Optional<FullHttpResponse> refusal = policy.refusal(HttpMethod.valueOf(method), path, remote, authorization);

        assertThat(refusal.map(r -> r.status().code()).orElse(0)).isEqualTo(refusedWith);
        refusal.ifPresent(response -> {
            if (refusedWith == 401) {
                assertThat(response.headers().get("WWW-Authenticate")).isEqualTo("Bearer realm=\"rollguard\"");
            }
            response.release();
        });
    }
}
