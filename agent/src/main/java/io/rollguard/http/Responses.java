package io.rollguard.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.rollguard.common.Json;
import java.util.Map;

/** Builders for the responses every endpoint sends; errors are always JSON {@code {"error": "..."}}. */
final class Responses {
    public static final String JSON_TYPE = "application/json";

    private Responses() {}

    public static FullHttpResponse json(HttpResponseStatus status, Object body) {
        return bytes(status, Json.bytes(body), JSON_TYPE);
    }

    public static FullHttpResponse error(HttpResponseStatus status, String message) {
        return json(status, Map.of("error", message));
    }

    /** Wraps {@code body} without copying it: the array must not change afterwards. */
    public static FullHttpResponse bytes(HttpResponseStatus status, byte[] body, String contentType) {
        FullHttpResponse response =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return response;
    }
}
