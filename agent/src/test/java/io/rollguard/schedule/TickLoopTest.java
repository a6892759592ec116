package io.rollguard.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.check.CheckRunner;
import io.rollguard.config.DeploySettings;
import io.rollguard.deploy.Deployments;
import io.rollguard.health.ComponentHealth;
import io.rollguard.health.Status;
import io.rollguard.journal.Journal;
import io.rollguard.journal.JournalLimits;
import io.rollguard.metrics.MetricsRenderer;
import io.rollguard.rule.Responder;
import io.rollguard.rule.ResponsePath;
import io.rollguard.rule.RuleEngine;
import io.rollguard.sample.Sampler;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.Series;
import io.rollguard.store.SeriesStore;
import io.rollguard.store.SeriesWriter;
import io.rollguard.time.FakeTime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TickLoopTest {
    private static final Duration TICK = Duration.ofSeconds(5);
    private static final MetricFamily VALUE = MetricFamily.gauge("rollguard_fake_value", "A fake sampler's value.");

    private final FakeTime time = new FakeTime();
    private final SeriesStore store = new SeriesStore();
    private final MetricsRenderer metrics = new MetricsRenderer(store, time);
    private final CheckRunner noChecks = new CheckRunner(List.of(), config -> null, store, time, time);
    private final RuleEngine noRules = new RuleEngine(List.of(), store, transition -> {}, time, TICK);
    private final ResponsePath noPath = ResponsePath.of(List.of(), Map.of(), request -> null, noChecks,
            Journal.inMemory(JournalLimits.DEFAULTS, time, "test", 0), Path.of("target/no-state"), time, "test-host",
            false);
    private final Responder noResponses = noPath.responder();
    private final Deployments noDeployments = new Deployments(DeploySettings.DEFAULT, noPath.state(), noPath.guard(),
            noPath.deploymentActions(), Journal.inMemory(JournalLimits.DEFAULTS, time, "test", 0), time);

    @org.junit.jupiter.api.AfterEach
    void closeChecks() {
        noChecks.close();
    }

    /** A sampler that counts its runs and fails while told to. */
    private static final class FakeSampler implements Sampler {
        private final String name;
        int runs;
        String failure;

        FakeSampler(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void sample(SeriesWriter out) throws IOException {
            runs++;
            if (failure != null) {
                throw new IOException(failure);
            }
            out.put(VALUE, io.rollguard.store.LabelSet.of("sampler", name), runs);
        }
    }

    private TickLoop loop(Map<FakeSampler, Duration> periods) {
        List<SamplerRunner> runners = periods.entrySet().stream()
                .map(e -> new SamplerRunner(e.getKey(), e.getValue(), TICK.dividedBy(2), store, time))
                .collect(Collectors.toList());
        return new TickLoop(runners, noChecks, noRules, noResponses, noDeployments, TICK, store, metrics, time, time);
    }

    @Test
    void eachSamplerRunsOnItsOwnPeriod() {
        FakeSampler everyTick = new FakeSampler("fast");
        FakeSampler everyTenSeconds = new FakeSampler("slow");
        TickLoop loop = loop(new java.util.LinkedHashMap<>(Map.of(everyTick, TICK, everyTenSeconds, Duration.ofSeconds(10))));

        for (int i = 0; i < 6; i++) {
            loop.tick();
            time.advance(TICK);
        }

        assertThat(everyTick.runs).isEqualTo(6);
        assertThat(everyTenSeconds.runs).isEqualTo(3);
    }

    @Test
    void aTickThatComesAMillisecondEarlyDoesNotSkipASampler() {
        FakeSampler sampler = new FakeSampler("cpu");
        TickLoop loop = loop(Map.of(sampler, TICK));

        loop.tick();
        time.advance(TICK.minusMillis(1));
        loop.tick();

        assertThat(sampler.runs).isEqualTo(2);
    }

    @Test
    void aFailingSamplerIsIsolatedGoesStaleAndRecovers() {
        FakeSampler healthy = new FakeSampler("healthy");
        FakeSampler broken = new FakeSampler("broken");
        TickLoop loop = loop(new java.util.LinkedHashMap<>(Map.of(healthy, TICK, broken, TICK)));
        loop.tick();

        broken.failure = "/proc/meminfo: malformed line 3";
        for (int i = 0; i < 4; i++) {
            time.advance(TICK);
            loop.tick();
        }

        assertThat(healthy.runs).isEqualTo(5);
        assertThat(valuesOf("rollguard_fake_value")).as("broken's series went stale after 3 periods")
                .containsOnlyKeys("{sampler=\"healthy\"}");
        ComponentHealth health = component(loop, "broken");
        assertThat(health.status()).isEqualTo(Status.DOWN);
        assertThat(health.message()).isEqualTo("IOException: /proc/meminfo: malformed line 3");
        assertThat(health.errors()).isEqualTo(4);
        assertThat(valuesOf("rollguard_sampler_success")).containsEntry("{sampler=\"broken\"}", 0.0)
                .containsEntry("{sampler=\"healthy\"}", 1.0);
        assertThat(valuesOf("rollguard_sampler_errors_total")).containsEntry("{sampler=\"broken\"}", 4.0);
        assertThat(loop.health().status()).as("samplers inform; they do not decide /health").isEqualTo(Status.UP);

        broken.failure = null;
        time.advance(TICK);
        loop.tick();

        assertThat(component(loop, "broken").status()).isEqualTo(Status.UP);
        assertThat(component(loop, "broken").since()).isEqualTo(time.now());
        assertThat(valuesOf("rollguard_fake_value")).containsKeys("{sampler=\"broken\"}");
    }

    @Test
    void aFailureIsLoggedWhenItStartsAndWhenItEndsNeverPerTick() {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger)
                org.slf4j.LoggerFactory.getLogger(SamplerRunner.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
                new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            FakeSampler sampler = new FakeSampler("disk");
            TickLoop loop = loop(Map.of(sampler, TICK));
            for (int i = 0; i < 10; i++) {
                sampler.failure = i >= 3 && i < 8 ? "unreadable" : null;
                loop.tick();
                time.advance(TICK);
            }

            assertThat(lines.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .containsExactly(
                            "sampler disk failing: IOException: unreadable (its series go stale; logged again when it recovers)",
                            "sampler disk recovered after 5 failed runs");
        } finally {
            logger.detachAppender(lines);
        }
    }

    @Test
    void aRuntimeExceptionInASamplerIsContainedToo() {
        Sampler buggy = new Sampler() {
            @Override
            public String name() {
                return "buggy";
            }

            @Override
            public void sample(SeriesWriter out) {
                throw new IllegalStateException("bug");
            }
        };
        TickLoop loop = new TickLoop(List.of(new SamplerRunner(buggy, TICK, TICK.dividedBy(2), store, time)),
                noChecks, noRules, noResponses, noDeployments, TICK, store, metrics, time, time);

        loop.tick();

        assertThat(component(loop, "buggy").message()).isEqualTo("IllegalStateException: bug");
    }

    /**
     * A sampler that hangs (statfs on a dead NFS mount does, uninterruptibly) is cut off at the tick's sampling
     * budget, half the interval, on the fake clock: the tick ends, the others go on. In the tick it hangs, a sampler
     * queued behind it on the one worker is cut off too; from the next tick on the stuck one has a worker of its
     * own, and when it comes back it recovers.
     */
    @Test
    void aSamplerThatHangsIsCutOffAtTheSamplingBudgetAndStopsNothingElse() throws Exception {
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean hangs = new java.util.concurrent.atomic.AtomicBoolean(true);
        Sampler nfs = new Sampler() {
            @Override
            public String name() {
                return "nfs";
            }

            @Override
            public void sample(SeriesWriter out) {
                if (!hangs.get()) {
                    return;
                }
                entered.countDown();
                while (true) { // uninterruptible, as a process in D state is
                    try {
                        release.await();
                        return;
                    } catch (InterruptedException e) {
                        // ignored, as the kernel would
                    }
                }
            }
        };
        FakeSampler cpu = new FakeSampler("cpu");
        TickLoop loop = new TickLoop(List.of(new SamplerRunner(nfs, TICK, TICK.dividedBy(2), store, time),
                new SamplerRunner(cpu, TICK, TICK.dividedBy(2), store, time)),
                noChecks, noRules, noResponses, noDeployments, TICK, store, metrics, time, time);
        try {
            java.util.concurrent.CompletableFuture<Void> first = java.util.concurrent.CompletableFuture.runAsync(
                    loop::tick);
            assertThat(entered.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            time.advance(TICK.dividedBy(2)); // the budget runs out on the fake clock
            first.get(30, java.util.concurrent.TimeUnit.SECONDS);

            assertThat(component(loop, "nfs").message())
                    .isEqualTo("did not finish within the tick's sampling budget of 2.5 s");
            assertThat(component(loop, "cpu").message())
                    .isEqualTo("did not start within the tick's sampling budget of 2.5 s");

            time.advance(TICK.dividedBy(2));
            loop.tick();
            assertThat(component(loop, "nfs").message()).isEqualTo("still running since an earlier tick (5.0 s)");
            assertThat(component(loop, "cpu").status()).as("on a worker of its own").isEqualTo(Status.UP);
            assertThat(valuesOf("rollguard_fake_value")).containsOnlyKeys("{sampler=\"cpu\"}");

            hangs.set(false);
            release.countDown();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                time.advance(TICK);
                loop.tick();
                return component(loop, "nfs").status() == Status.UP;
            });
            assertThat(component(loop, "cpu").status()).isEqualTo(Status.UP);
        } finally {
            release.countDown();
            loop.close();
        }
    }

    @Test
    void eachTickRendersMetricsFromTheStore() {
        FakeSampler sampler = new FakeSampler("cpu");
        TickLoop loop = loop(Map.of(sampler, TICK));

        loop.tick();
        loop.tick();
        time.advance(TICK);
        loop.tick();

        String text = new String(metrics.latest().prometheusText(), StandardCharsets.UTF_8);
        assertThat(text).contains("rollguard_fake_value{sampler=\"cpu\"} 2.0");
    }

    private Map<String, Double> valuesOf(String family) {
        return store.fresh(time.nanoTime()).stream()
                .filter(s -> s.key().family().name().equals(family))
                .collect(Collectors.toMap(s -> s.key().labels().toString(), Series::value));
    }

    private static ComponentHealth component(TickLoop loop, String name) {
        return loop.health().samplers().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }
}
