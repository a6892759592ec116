package io.rollguard.http;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * Answers one route. {@link #handle} runs on the Netty event loop, so it only reads state that the tick published:
 * no I/O, no locks held long, no waiting. An endpoint with work to do (re-arming writes the state file) overrides
 * {@link #handleAsync} and does it elsewhere.
 */
@FunctionalInterface
interface Endpoint {
    FullHttpResponse handle(FullHttpRequest request);

    /** The answer, possibly later; {@code remote} is the client's address (access is decided before, by {@link AccessPolicy}). */
    default CompletableFuture<FullHttpResponse> handleAsync(FullHttpRequest request, InetSocketAddress remote) {
        return CompletableFuture.completedFuture(handle(request));
    }
}
