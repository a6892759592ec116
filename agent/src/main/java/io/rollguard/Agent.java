package io.rollguard;

import static java.util.Objects.requireNonNull;

import io.rollguard.check.CheckFactory;
import io.rollguard.check.CheckRunner;
import io.rollguard.config.Config;
import io.rollguard.config.HostPort;
import io.rollguard.config.SamplerSettings;
import io.rollguard.health.HealthSnapshot;
import io.rollguard.http.AgentInfo;
import io.rollguard.http.DetailedHealthEndpoint;
import io.rollguard.http.HealthEndpoint;
import io.rollguard.http.HttpServer;
import io.rollguard.http.MetricsEndpoint;
import io.rollguard.http.Router;
import io.rollguard.metrics.MetricsRenderer;
import io.rollguard.sample.Sampler;
import io.rollguard.schedule.SamplerRunner;
import io.rollguard.schedule.TickLoop;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesStore;
import io.rollguard.store.SeriesWriter;
import io.rollguard.time.TimeSource;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds every part from the {@link Config}, starts them, and stops them in reverse order.
 * It owns every thread the agent runs. Nothing is global; two agents can run side by side in one JVM (tests do).
 */
public final class Agent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);

    static final MetricFamily BUILD_INFO =
            MetricFamily.info("rollguard_build_info", "The version of the running agent; always 1.");
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration NEVER_STALE = Duration.ofNanos(Long.MAX_VALUE);

    private final Config config;
    private final TimeSource time;
    private final SeriesStore store = new SeriesStore();
    private final MetricsRenderer metrics;
    private final CheckRunner checks;
    private final TickLoop tickLoop;
    private final AgentInfo info;

    private ScheduledExecutorService scheduler;
    private HttpServer http;

    public Agent(Config config, TimeSource time, List<Sampler> samplers, CheckFactory checkFactory) {
        this.config = requireNonNull(config, "config");
        this.time = requireNonNull(time, "time");
        String version = Version.current();
        this.info = new AgentInfo(version, config.source(), time.now());
        // Written once: its period is as long as its freshness.
        store.replace("agent:build", new SeriesWriter().put(BUILD_INFO, LabelSet.of("version", version), 1),
                time.nanoTime(), NEVER_STALE, NEVER_STALE);
        this.metrics = new MetricsRenderer(store, time);
        Duration tick = config.agent().interval();
        List<SamplerRunner> runners = new ArrayList<>();
        for (Sampler sampler : samplers) {
            SamplerSettings settings = config.sampler(sampler.name());
            if (settings.enabled()) {
                Duration period = settings.periodOr(sampler.defaultPeriod(tick));
                runners.add(new SamplerRunner(sampler, period, tick.dividedBy(2), store, time));
            }
        }
        this.checks = new CheckRunner(config.checks(), checkFactory::create, store, time);
        this.tickLoop = new TickLoop(runners, checks, tick, store, metrics, time);
    }

    /**
     * Binds the HTTP server and starts ticking: the first tick runs at once on the scheduler thread.
     *
     * @throws IOException when the HTTP address cannot be bound
     */
    public void start() throws IOException {
        Router router = new Router()
                .get("/health", new HealthEndpoint(tickLoop::health))
                .get("/health/detailed", new DetailedHealthEndpoint(tickLoop::health, info))
                .get("/metrics", new MetricsEndpoint(metrics::latest));
        config.checks().stream().flatMap(c -> c.tags().stream()).distinct()
                .forEach(tag -> router.get("/health/" + tag, new HealthEndpoint(() -> tickLoop.health(), tag)));
        http = HttpServer.start(config.http().listen(), router, IDLE_TIMEOUT);
        // The configured host, not the socket's: Java reports a dual-stack 0.0.0.0 as 0:0:0:0:0:0:0:0.
        log.info("listening on http://{}", new HostPort(config.http().listen().host(), http.address().getPort()));

        scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "rollguard-tick");
            thread.setDaemon(true);
            return thread;
        });
        Duration tick = config.agent().interval();
        scheduler.scheduleAtFixedRate(tickLoop::tick, 0, tick.toNanos(), TimeUnit.NANOSECONDS);
        log.info("ticking every {}", io.rollguard.config.Quantities.formatDuration(tick));
    }

    /** The address the HTTP server bound; port 0 in the configuration resolves to a real port. */
    public InetSocketAddress httpAddress() {
        if (http == null) {
            throw new IllegalStateException("the agent has not started");
        }
        return http.address();
    }

    public HealthSnapshot health() {
        return tickLoop.health();
    }

    /** Stops ticking, then the checks, then serving; bounded to a few seconds whatever a component does. */
    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdown();
            try {
                if (!scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
                    log.warn("a tick did not finish within 5s; stopping without it");
                    scheduler.shutdownNow();
                }
            } catch (InterruptedException e) {
                scheduler.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        checks.close();
        if (http != null) {
            http.close();
        }
    }
}
