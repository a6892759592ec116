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
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.rollguard.config.HostPort;
import io.rollguard.config.HttpSettings;
import io.rollguard.store.SeriesWriter;
import io.rollguard.time.Timer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

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
    private final ConnectionLimit limit;
    private final String scheme;

    private final RequestHandler handler;

    private HttpServer(EventLoopGroup group, Channel channel, ConnectionLimit limit, String scheme,
            RequestHandler handler) {
        this.handler = handler;
        this.group = group;
        this.channel = channel;
        this.limit = limit;
        this.scheme = scheme;
    }

    /** Plain HTTP on {@code listen} with the default limits and no tokens: for tests of the server itself. */
    public static HttpServer start(HostPort listen, Router router, Timer timer) throws IOException {
        return start(new HttpSettings(listen), router, timer);
    }

    /**
     * Binds {@code [http] listen} and starts serving {@code router}, over TLS when {@code tls_cert} and
     * {@code tls_key} are set, with the tokens, connection limits and timeouts of {@code settings}; the head and
     * body deadlines run on {@code timer}.
     *
     * @throws IOException when the address cannot be bound or the TLS files cannot be used, with a message naming it
     */
    public static HttpServer start(HttpSettings settings, Router router, Timer timer) throws IOException {
        requireNonNull(router, "router");
        requireNonNull(timer, "timer");
        HostPort listen = settings.listen();
        SslContext ssl = settings.tlsFiles().isEmpty() ? null : sslContext(settings.tlsFiles().get());
        RequestHandler handler = new RequestHandler(router, AccessPolicy.of(settings));
        IdleCloser idleCloser = new IdleCloser();
        ConnectionLimit limit = new ConnectionLimit(settings.maxConnections(), settings.maxConnectionsPerPeer());
        long idleMillis = settings.idleTimeout().toMillis();
        EventLoopGroup group = new NioEventLoopGroup(1, new DefaultThreadFactory("rollguard-http", true));
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group) // one thread accepts and serves: ConnectionLimit and TrackedConnection rely on it
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.ALLOCATOR, UnpooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.SO_BACKLOG, 128)
                .childOption(ChannelOption.ALLOCATOR, UnpooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        TrackedConnection tracked = new TrackedConnection(ch, limit, timer, settings.headTimeout(),
                                settings.bodyTimeout());
                        if (!limit.admit(tracked)) {
                            ch.close();
                            return;
                        }
                        // Idleness first: a stalled TLS handshake is as idle as a half-sent request. The first
                        // byte of a request (or of the handshake) starts the head's deadline.
                        ch.pipeline()
                                .addLast(new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS))
                                .addLast(idleCloser)
                                .addLast(tracked.bytes());
                        if (ssl != null) {
                            ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                        }
                        ch.pipeline()
                                .addLast(new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, 8192))
                                .addLast(tracked.messages())
                                .addLast(new HttpObjectAggregator(MAX_BODY))
                                .addLast(handler);
                    }
                });
        try {
            Channel channel = bootstrap.bind(listen.host(), listen.port()).sync().channel();
            return new HttpServer(group, channel, limit, settings.scheme(), handler);
        } catch (Exception e) { // bind() reports a checked BindException through sync() without declaring it
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("cannot listen on " + listen + ": " + e.getMessage(), e);
        }
    }

    private static SslContext sslContext(HttpSettings.TlsFiles files) throws IOException {
        try {
            return SslContextBuilder.forServer(files.certificate().toFile(), files.key().toFile()).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IOException("cannot serve TLS with tls_cert " + files.certificate() + " and tls_key "
                    + files.key() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Replaces who may do what, from the next request on: a reload that changed {@code token_file},
     * {@code read_token_file} or {@code health_public} calls this. TLS, limits and the address need a restart.
     */
    public void useAccess(AccessPolicy policy) {
        handler.useAccess(requireNonNull(policy, "policy"));
    }

    /** "http" or "https". */
    public String scheme() {
        return scheme;
    }

    /** {@code rollguard_http_connections}, {@code _refused_total} and {@code _evicted_total}. */
    public void writeMetrics(SeriesWriter out) {
        limit.writeMetrics(out);
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
