package io.rollguard.http;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.rollguard.config.HostPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The agent's HTTP/1.1 server: one event loop thread (every answer is already in memory), the unpooled allocator
 * (pooled arenas cost megabytes a small agent does not have), and limits a client cannot move.
 */
public final class HttpServer implements AutoCloseable {
    static final int MAX_INITIAL_LINE = 4096;
    static final int MAX_HEADER_SIZE = 8192;
    static final int MAX_BODY = 64 * 1024;

    private final EventLoopGroup group;
    private final Channel channel;

    private HttpServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Binds {@code listen} and starts serving {@code router}.
     *
     * @throws IOException when the address cannot be bound, with a message naming it
     */
    public static HttpServer start(HostPort listen, Router router, Duration idleTimeout) throws IOException {
        requireNonNull(router, "router");
        RequestHandler handler = new RequestHandler(router);
        IdleCloser idleCloser = new IdleCloser();
        EventLoopGroup group = new NioEventLoopGroup(1, new DefaultThreadFactory("rollguard-http", true));
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.ALLOCATOR, UnpooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.SO_BACKLOG, 128)
                .childOption(ChannelOption.ALLOCATOR, UnpooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS))
                                .addLast(idleCloser)
                                .addLast(new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, 8192))
                                .addLast(new HttpObjectAggregator(MAX_BODY))
                                .addLast(handler);
                    }
                });
        try {
            Channel channel = bootstrap.bind(listen.host(), listen.port()).sync().channel();
            return new HttpServer(group, channel);
        } catch (Exception e) { // bind() reports a checked BindException through sync() without declaring it
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("cannot listen on " + listen + ": " + e.getMessage(), e);
        }
    }

    /** The address actually bound: port 0 in the configuration resolves to a real port here. */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Stops accepting, closes every connection, and waits at most a few seconds for the event loop to end. */
    @Override
    public void close() {
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}
