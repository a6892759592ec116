package io.rollguard.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.rollguard.check.CheckRunner;
import io.rollguard.config.DeploySettings;
import io.rollguard.deploy.Deployments;
import io.rollguard.health.ComponentHealth;
import io.rollguard.health.Status;
import io.rollguard.journal.Journal;
import io.rollguard.journal.JournalLimits;
import io.rollguard.metrics.MetricsRenderer;
import io.rollguard.rule.ResponsePath;
import io.rollguard.rule.RuleEngine;
import io.rollguard.sample.DiskSampler;
import io.rollguard.sample.NetworkSampler;
import io.rollguard.sample.Sampler;
import io.rollguard.store.Series;
import io.rollguard.store.SeriesStore;
import io.rollguard.time.FakeTime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * Real samplers over a copy of the captured /proc fixtures whose files vanish or turn to garbage while the loop ticks:
 * the failure is contained (the other sampler goes on), counted, logged once, the series go stale, and all of it
 * recovers when the file comes back.
 */
class SamplerInputFaultsTest {
    private static final Duration TICK = Duration.ofSeconds(5);
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures/proc");

    @TempDir
    Path proc;

    private final FakeTime time = new FakeTime();
    private final SeriesStore store = new SeriesStore();
    private final CheckRunner noChecks = new CheckRunner(List.of(), config -> null, store, time, time);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(SamplerRunner.class);

    @BeforeEach
    void copyFixturesAndCaptureTheLog() throws IOException {
        Files.createDirectories(proc.resolve("net"));
        Files.copy(FIXTURES.resolve("diskstats"), proc.resolve("diskstats"));
        Files.copy(FIXTURES.resolve("net/dev"), proc.resolve("net/dev"));
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void close() {
        logger.detachAppender(logged);
        noChecks.close();
    }

    /** What happens to the file: it vanishes, or its content is replaced. */
    interface Fault {
        void apply(Path file) throws IOException;
    }

    static Stream<Arguments> faults() {
        Fault vanishes = Files::delete;
        Fault notText = file -> Files.write(file, new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, (byte) 0xc3, '\n'});
        Fault lettersForNumbers = file -> Files.writeString(file, Files.readString(file).replace('1', 'x'));
        return Stream.of(
                arguments("disk", "diskstats", vanishes, "NoSuchFileException: %s"),
                arguments("disk", "diskstats", notText, "MalformedInputException: Input length = 1"),
                arguments("disk", "diskstats", lettersForNumbers, "NumberFormatException: For input string: "),
                arguments("network", "net/dev", vanishes, "NoSuchFileException: %s"),
                arguments("network", "net/dev", notText, "MalformedInputException: Input length = 1"),
                arguments("network", "net/dev", lettersForNumbers, "NumberFormatException: For input string: "));
    }

    @ParameterizedTest(name = "{0}: {1} {2}")
    @MethodSource("faults")
    void aBrokenInputIsContainedCountedLoggedOnceGoesStaleAndRecovers(String name, String file, Fault fault,
            String why) throws IOException {
        List<Sampler> samplers = List.of(new DiskSampler(proc), new NetworkSampler(proc));
        String other = name.equals("disk") ? "network" : "disk";
        TickLoop loop = loop(samplers);
        loop.tick();
        assertThat(seriesOf(name)).isNotEmpty();
        Path input = proc.resolve(file);
        Path saved = Files.copy(input, proc.resolve("saved"));

        fault.apply(input);
        for (int i = 0; i < 4; i++) {
            time.advance(TICK);
            loop.tick();
        }

        ComponentHealth broken = component(loop, name);
        assertThat(broken.status()).isEqualTo(Status.DOWN);
        assertThat(broken.message()).startsWith(why.formatted(input));
        assertThat(broken.errors()).isEqualTo(4);
        assertThat(value("rollguard_sampler_errors_total", name)).isEqualTo(4.0);
        assertThat(value("rollguard_sampler_success", name)).isEqualTo(0.0);
        assertThat(seriesOf(name)).as("stale after three periods: absent, not frozen").isEmpty();
        assertThat(component(loop, other).status()).isEqualTo(Status.UP);
        assertThat(seriesOf(other)).isNotEmpty();
        assertThat(messages()).containsExactly("sampler " + name + " failing: " + broken.message()
                + " (its series go stale; logged again when it recovers)");

        Files.move(saved, input, StandardCopyOption.REPLACE_EXISTING);
        time.advance(TICK);
        loop.tick();

        assertThat(component(loop, name).status()).isEqualTo(Status.UP);
        assertThat(value("rollguard_sampler_success", name)).isEqualTo(1.0);
        assertThat(value("rollguard_sampler_errors_total", name)).as("a counter").isEqualTo(4.0);
        assertThat(seriesOf(name)).isNotEmpty();
        assertThat(messages()).hasSize(2).last().isEqualTo("sampler " + name + " recovered after 4 failed runs");
    }

    private TickLoop loop(List<Sampler> samplers) {
        List<SamplerRunner> runners = samplers.stream()
                .map(s -> new SamplerRunner(s, TICK, TICK.dividedBy(2), store, time)).toList();
        ResponsePath noPath = ResponsePath.of(List.of(), Map.of(), request -> null, noChecks,
                Journal.inMemory(JournalLimits.DEFAULTS, time, "test", 0), proc.resolve("no-state"), time, "test-host",
                false);
        return new TickLoop(runners, noChecks, new RuleEngine(List.of(), store, transition -> {}, time, TICK),
                noPath.responder(), new Deployments(DeploySettings.DEFAULT, noPath.state(), noPath.guard(),
                        noPath.deploymentActions(), Journal.inMemory(JournalLimits.DEFAULTS, time, "test", 0), time),
                TICK, store, new MetricsRenderer(store, time), time, time);
    }

    /** The fresh series a sampler wrote, by the families' prefix. */
    private List<String> seriesOf(String sampler) {
        return store.fresh(time.nanoTime()).stream().map(s -> s.key().toString())
                .filter(key -> key.startsWith("rollguard_" + sampler + "_")).toList();
    }

    private double value(String family, String sampler) {
        Map<String, Double> values = store.fresh(time.nanoTime()).stream()
                .filter(s -> s.key().family().name().equals(family))
                .collect(Collectors.toMap(s -> s.key().labels().toString(), Series::value));
        return values.get("{sampler=\"" + sampler + "\"}");
    }

    private List<String> messages() {
        return logged.list.stream().map(ILoggingEvent::getFormattedMessage).collect(Collectors.toList());
    }

    private static ComponentHealth component(TickLoop loop, String name) {
        return loop.health().samplers().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }
}
