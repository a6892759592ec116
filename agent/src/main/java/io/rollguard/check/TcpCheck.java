package io.rollguard.check;

import static java.util.Objects.requireNonNull;

import io.rollguard.common.Human;
import io.rollguard.config.check.TcpCheckSpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;

/** A TCP connection opens within the timeout; its value is the connect time in seconds. */
final class TcpCheck implements Check {
    private final TcpCheckSpec spec;
    private final Duration timeout;

    public TcpCheck(TcpCheckSpec spec, Duration timeout) {
        this.spec = requireNonNull(spec, "spec");
        this.timeout = requireNonNull(timeout, "timeout");
    }

    @Override
    public CheckResult run() {
        String target = spec.host() + ":" + spec.port();
        long started = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(spec.host(), spec.port()), (int) Math.max(1, timeout.toMillis()));
            double seconds = (System.nanoTime() - started) / 1e9;
            return CheckResult.passed("connected to " + target + " in " + Human.seconds(seconds), seconds);
        } catch (UnknownHostException e) {
            return CheckResult.failed(target + ": unknown host");
        } catch (SocketTimeoutException e) {
            return CheckResult.failed(target + ": no answer within " + Human.seconds(timeout.toMillis() / 1000.0));
        } catch (IOException e) {
            return CheckResult.failed(target + ": " + e.getMessage());
        }
    }
}
