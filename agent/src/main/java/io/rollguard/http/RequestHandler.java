package io.rollguard.http;

import static io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST;
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
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Routes a whole request to its endpoint and writes the answer, keeping the connection alive when asked. */
@ChannelHandler.Sharable
final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(RequestHandler.class);

    private final Router router;

    RequestHandler(Router router) {
        this.router = router;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        DecoderResult decoded = request.decoderResult();
        if (decoded.isFailure()) {
            send(ctx, request, rejection(decoded.cause()), false);
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
        FullHttpResponse response;
        try {
            response = route.get().endpoint().handle(request);
        } catch (RuntimeException e) { // a bug in one endpoint answers 500 and leaves the server serving
            log.error("endpoint {} failed", path, e);
            response = Responses.error(INTERNAL_SERVER_ERROR, "internal error");
        }
        send(ctx, request, response, true);
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
        boolean keepAlive = mayKeepAlive && HttpUtil.isKeepAlive(request);
        if (keepAlive) {
            if (!request.protocolVersion().isKeepAliveDefault()) {
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
