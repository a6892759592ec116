package io.rollguard;

import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.rollguard.check.CheckFactory;
import io.rollguard.config.Config;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.sample.FixtureSamplers;
import io.rollguard.time.FakeTime;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import oshi.SystemInfo;

/**
 * The real agent with the real host samplers and an example configuration that gives the status page something to
 * show: a service with a healthy check and a failing one (whose expectation is an attack on the page's markup),
 * rules over the host, a check and a deployment baseline, and a deployment in its watch window.
 */
final class StatusPageAgent implements AutoCloseable {
    static final String HOSTILE = "<script>alert(1)</script>";

    private final HttpServer service;
    private final Agent agent;
    private final URI base;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private StatusPageAgent(HttpServer service, Agent agent) {
        this.service = service;
        this.agent = agent;
        this.base = URI.create("http://127.0.0.1:" + agent.httpAddress().getPort());
    }

    /** Started, its deployment begun once the checks have history, and with {@code ticks} ticks behind it. */
    static StatusPageAgent start(Path dir, int ticks) throws Exception {
        HttpServer service = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        java.util.concurrent.atomic.AtomicInteger served = new java.util.concurrent.atomic.AtomicInteger();
        service.createContext("/health", exchange -> {
            served.incrementAndGet();
            byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        service.createContext("/payments", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        service.start();
        Path script = dir.resolve("rollback.sh");
        Files.writeString(script, "#!/bin/sh\necho rolled back\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        int port = service.getAddress().getPort();
        Config config = ConfigLoader.parse(new ConfigSource("rollguard.toml", """
                [agent]
                interval = "1s"
                state_dir = "%s"
                [http]
                listen = "127.0.0.1:0"

                [[check]]
                name = "api"
                type = "http"
                url = "http://127.0.0.1:%d/health"
                interval = "1s"
                critical = true
                tags = ["ready"]

                [[check]]
                name = "payments"
                type = "http"
                url = "http://127.0.0.1:%d/payments"
                interval = "1s"
                expect_body = "%s"

                [[check]]
                name = "api-port"
                type = "tcp"
                port = %d
                interval = "1s"

                [action.rollback]
                run = ["%s"]
                rollback = true

                [[rule]]
                name = "memory-pressure"
                when = "memory_used_ratio > 95%%"
                for = "2m"
                severity = "critical"
                action = "rollback"

                [[rule]]
                name = "load-high"
                when = "load1 > 64"
                for = "5m"

                [[rule]]
                name = "payments-down"
                when = 'check_up{check="payments"} == 0'
                for = "1h"

                [[rule]]
                name = "api-slower-than-before"
                when = 'avg_over(check_duration_seconds{check="api"}, 1m) > 2 * baseline(check_duration_seconds{check="api"}) + 0.5'
                scope = "deploy"
                """.formatted(dir.resolve("state"), port, port, HOSTILE, port, script), dir));
        SystemInfo system = new SystemInfo();
        // Ticks stepped on a fake clock (the agent's tick seam): the history behind the page is exactly `ticks`
        // intervals long, however slow the machine, and nothing waits on real time.
        FakeTime time = new FakeTime();
        // The fixture tree's samplers: the host's figures on the page are the same on every machine and at every
        // tick, however little real time the stepped ticks leave between two CPU readings.
        Agent agent = new Agent(config, time, FixtureSamplers.all(), CheckFactory.forHost(system));
        agent.start(false);
        StatusPageAgent started = new StatusPageAgent(service, agent);
        agent.tick();
        await().atMost(Duration.ofSeconds(30)).until(() -> agent.health().checks().stream()
                .allMatch(c -> c.status() != io.rollguard.health.Status.UNKNOWN));
        started.post("/api/v1/deployments", "{\"version\": \"v2.4.1\", \"watch\": \"30m\"}");
        for (int tick = 1; tick <= ticks; tick++) {
            time.advance(Duration.ofSeconds(1));
            agent.tick();
            int answered = tick + 1;
            // Each tick starts the checks on their workers: wait for this tick's answer before the next one.
            await().atMost(Duration.ofSeconds(30)).until(() -> served.get() >= answered);
        }
        agent.tick(); // publishes what the last checks recorded
        return started;
    }

    URI base() {
        return base;
    }

    HttpResponse<String> send(String method, String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(base.resolve(path)).method(method,
                HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void post(String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(base.resolve(path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("POST " + path + ": " + response.statusCode() + " " + response.body());
        }
    }

    @Override
    public void close() {
        agent.close();
        service.stop(0);
    }
}
