package io.rollguard.http;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;

/**
 * Answers one route. Runs on the Netty event loop, so it only reads state that the tick published: no I/O, no
 * locks, no waiting.
 */
@FunctionalInterface
public interface Endpoint {
    FullHttpResponse handle(FullHttpRequest request);
}
