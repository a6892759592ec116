package io.rollguard.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.config.check.TcpCheckSpec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TcpCheckTest {
    @Test
    void passesWhenSomethingListens() throws IOException {
        try (ServerSocket listening = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            CheckResult result = new TcpCheck(new TcpCheckSpec("127.0.0.1", listening.getLocalPort()),
                    Duration.ofSeconds(5)).run();

            assertThat(result.ok()).isTrue();
            assertThat(result.message()).matches("connected to 127\\.0\\.0\\.1:\\d+ in \\d+ ms");
        }
    }

    @Test
    void failsWhenNothingListens() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }

        CheckResult result = new TcpCheck(new TcpCheckSpec("127.0.0.1", port), Duration.ofSeconds(5)).run();

        assertThat(result.ok()).isFalse();
        assertThat(result.message()).isEqualTo("127.0.0.1:" + port + ": Connection refused");
    }

    @Test
    void anUnknownHostSaysSo() {
        CheckResult result = new TcpCheck(new TcpCheckSpec("no-such-host.invalid", 80), Duration.ofSeconds(5)).run();

        assertThat(result.message()).isEqualTo("no-such-host.invalid:80: unknown host");
    }
}
