package io.rollguard.http;

import static io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST;
import static io.netty.handler.codec.http.HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED;
import static io.netty.handler.codec.http.HttpResponseStatus.INTERNAL_SERVER_ERROR;
import static io.netty.handler.codec.http.HttpResponseStatus.METHOD_NOT_ALLOWED;
import static io.netty.handler.codec.http.HttpResponseStatus.NOT_FOUND;
import static io.netty.handler.codec.http.HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
import static io.netty.handler.codec.http.HttpResponseStatus.REQUEST_URI_TOO_LONG;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Routes a whole request to its endpoint and writes the answer, keeping the connection alive when asked. */
@ChannelHandler.Sharable
final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(RequestHandler.class);

    private final Router router;
    private volatile AccessPolicy access;

    RequestHandler(Router router, AccessPolicy access) {
        this.router = router;
        this.access = access;
    }

    /** Takes effect from the next request on: for a reload that changed the tokens. */
    void useAccess(AccessPolicy policy) {
        this.access = policy;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        DecoderResult decoded = request.decoderResult();
        if (decoded.isFailure()) {
            send(ctx, request, rejection(decoded.cause()), false);
            return;
        }
        HttpVersion version = request.protocolVersion();
        if (!version.protocolName().equals("HTTP")) {
            send(ctx, request, Responses.error(BAD_REQUEST, "not an HTTP request: " + version), false);
            return;
        }
        if (version.majorVersion() != 1) { // HTTP/1.x of any minor version is read as HTTP/1.1 (RFC 9110, 2.5)
            send(ctx, request, Responses.error(HTTP_VERSION_NOT_SUPPORTED, version + " is not supported; use HTTP/1.1"),
                    false);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        Optional<Router.Route> route = router.route(path);
        if (route.isEmpty()) {
            send(ctx, request, Responses.error(NOT_FOUND, "no such endpoint: " + path), true);
            return;
        }
        if (!route.get().accepts(request.method())) {
            FullHttpResponse response = Responses.error(METHOD_NOT_ALLOWED,
                    request.method() + " is not allowed on " + path + "; allowed: " + route.get().allow());
            response.headers().set(HttpHeaderNames.ALLOW, route.get().allow());
            send(ctx, request, response, true);
            return;
        }
        InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
        Optional<FullHttpResponse> refusal = access.refusal(request.method(), path, remote,
                request.headers().get(HttpHeaderNames.AUTHORIZATION));
        if (refusal.isPresent()) {
            send(ctx, request, refusal.get(), true);
            return;
        }
        CompletableFuture<FullHttpResponse> answer;
        try {
            answer = route.get().endpoint().handleAsync(request, remote);
        } catch (RuntimeException e) { // a bug in one endpoint answers 500 and leaves the server serving
            answer = CompletableFuture.failedFuture(e);
        }
        // The request's buffers are released when this method returns: keep what sending needs.
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean keepAliveDefault = request.protocolVersion().isKeepAliveDefault();
        answer.whenComplete((response, error) -> {
            if (error != null) {
                log.error("endpoint {} failed", path, error);
                response = Responses.error(INTERNAL_SERVER_ERROR, "internal error");
            }
            send(ctx, keepAlive, keepAliveDefault, response);
        });
    }

    private static FullHttpResponse rejection(Throwable cause) {
        if (cause instanceof TooLongHttpHeaderException) {
            return Responses.error(REQUEST_HEADER_FIELDS_TOO_LARGE, "request headers too large");
        }
        if (cause instanceof TooLongHttpLineException) {
            return Responses.error(REQUEST_URI_TOO_LONG, "request line too long");
        }
        if (cause instanceof TooLongFrameException) {
            return Responses.error(REQUEST_HEADER_FIELDS_TOO_LARGE, "request too large");
        }
        return Responses.error(BAD_REQUEST, "malformed request");
    }

    private static void send(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response,
            boolean mayKeepAlive) {
        send(ctx, mayKeepAlive && HttpUtil.isKeepAlive(request), request.protocolVersion().isKeepAliveDefault(), response);
    }

    private static void send(ChannelHandlerContext ctx, boolean keepAlive, boolean keepAliveDefault,
            FullHttpResponse response) {
        if (keepAlive) {
            if (!keepAliveDefault) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A peer resetting its connection is routine for a server; it is not worth a log line.
        log.debug("connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
