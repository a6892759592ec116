package io.rollguard.http;

import static io.netty.handler.codec.http.HttpResponseStatus.REQUEST_TIMEOUT;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.rollguard.time.Timer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;

/**
 * One open connection, as its request deadlines and {@link ConnectionLimit} see it. A request's head (with the TLS
 * handshake before a first request) must be complete {@code head_timeout} after its first byte, and its body
 * {@code body_timeout} after the body's first byte, however slowly the bytes between trickle: the idle timeout alone
 * is reset by every byte. Two handlers watch the connection: {@link #bytes()} first in the pipeline, for the first
 * byte of a request, and {@link #messages()} after the HTTP codec, for the end of its head and body and for the
 * answer. The deadlines run on the agent's {@link Timer}; everything else is confined to the channel's event loop.
 */
final class TrackedConnection {
    private final Channel channel;
    private final InetAddress peer;
    private final ConnectionLimit limit;
    private final Timer timer;
    private final Duration headTimeout;
    private final Duration bodyTimeout;

    private boolean released;
    private boolean inHead;
    private boolean inBody;
    private boolean bodyStarted;
    private int unanswered;
    private Timer.Scheduled deadline;
    private long generation; // a deadline that fires after its part ended is stale

    TrackedConnection(Channel channel, ConnectionLimit limit, Timer timer, Duration headTimeout,
            Duration bodyTimeout) {
        this.channel = channel;
        this.peer = ((InetSocketAddress) channel.remoteAddress()).getAddress();
        this.limit = limit;
        this.timer = timer;
        this.headTimeout = headTimeout;
        this.bodyTimeout = bodyTimeout;
        channel.closeFuture().addListener(closed -> disarm());
    }

    Channel channel() {
        return channel;
    }

    InetAddress peer() {
        return peer;
    }

    boolean released() {
        return released;
    }

    /** Marks the connection as no longer counted; false when it was already. */
    boolean release() {
        boolean first = !released;
        released = true;
        return first;
    }

    /** Sees the bytes as they arrive, before TLS and HTTP decode them. */
    ChannelHandler bytes() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (!inHead && !inBody) {
                    inHead = true;
                    limit.active(TrackedConnection.this);
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void channelReadComplete(ChannelHandlerContext ctx) {
                ctx.fireChannelReadComplete();
                // Armed here, after the codec has read the whole batch, not per read: a request that arrives in
                // one packet, as nearly all do, never touches the timer.
                if (deadline == null && inHead) {
                    arm(headTimeout, "request head", "head_timeout");
                } else if (deadline == null && inBody && bodyStarted) {
                    arm(bodyTimeout, "request body", "body_timeout");
                }
            }
        };
    }

    /** Sees the decoded request and the answer, between the HTTP codec and the aggregator. */
    ChannelHandler messages() {
        return new ChannelDuplexHandler() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest) {
                    inHead = false;
                    inBody = true;
                    bodyStarted = false;
                    disarm();
                }
                if (msg instanceof HttpContent content && content.content().isReadable()) {
                    bodyStarted = true;
                }
                if (msg instanceof LastHttpContent) {
                    inBody = false;
                    disarm();
                    if (unanswered++ == 0) {
                        limit.busy(TrackedConnection.this);
                    }
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                boolean interim = msg instanceof HttpResponse response
                        && response.status().codeClass() == HttpStatusClass.INFORMATIONAL; // 100 Continue
                if (msg instanceof LastHttpContent && !interim && unanswered > 0 && --unanswered == 0) {
                    limit.answered(TrackedConnection.this);
                    limit.active(TrackedConnection.this);
                }
                ctx.write(msg, promise);
            }
        };
    }

    private void arm(Duration timeout, String part, String key) {
        long armed = ++generation;
        try {
            deadline = timer.schedule(timeout, () -> {
                try {
                    channel.eventLoop().execute(() -> expire(armed, part, key));
                } catch (RejectedExecutionException e) {
                    // the server is stopping: the connection is being closed anyway
                }
            });
        } catch (RejectedExecutionException e) {
            // the agent is stopping (its timer is closed): so is this connection
        }
    }

    private void disarm() {
        generation++;
        if (deadline != null) {
            deadline.cancel();
            deadline = null;
        }
    }

    private void expire(long armed, String part, String key) {
        if (armed != generation || !channel.isActive()) {
            return;
        }
        deadline = null;
        FullHttpResponse response = Responses.error(REQUEST_TIMEOUT, part + " not received within [http] " + key);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        // Closed at once, not once written: a client that does not read must not hold the slot (nor a TLS
        // handshake that never ends, which would hold the answer).
        channel.writeAndFlush(response);
        channel.close();
    }
}
