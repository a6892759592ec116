package io.rollguard.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.rollguard.config.HostPort;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpServerTest {
    private final Router router = new Router().get("/x", request -> Responses.json(HttpResponseStatus.OK, Map.of()));

    @Test
    void closesAConnectionThatStaysIdle() throws IOException {
        try (HttpServer server = HttpServer.start(new HostPort("127.0.0.1", 0), router, Duration.ofMillis(200));
                Socket socket = new Socket("127.0.0.1", server.address().getPort())) {
            socket.getOutputStream().write("GET /x HTTP/1.1\r\nHo".getBytes()); // half a request, then nothing
            socket.setSoTimeout(30_000); // a bound for a broken server, not a timing assertion

            assertThat(socket.getInputStream().read()).as("closed by the server, without an answer").isEqualTo(-1);
        }
    }

    @Test
    void aTakenAddressIsReportedInOneSentence() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            HostPort listen = new HostPort("127.0.0.1", taken.getLocalPort());

            assertThatThrownBy(() -> HttpServer.start(listen, router, Duration.ofSeconds(30)))
                    .isInstanceOf(IOException.class)
                    .hasMessage("cannot listen on " + listen + ": Address already in use");
        }
    }

    @Test
    void portZeroResolvesToARealPort() throws IOException {
        try (HttpServer server = HttpServer.start(new HostPort("127.0.0.1", 0), router, Duration.ofSeconds(30))) {
            assertThat(server.address().getPort()).isPositive();
        }
    }
}
