package io.rollguard.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollguard.sample.WatchedProcess.Found;
import io.rollguard.sample.WatchedProcess.Identity;
import io.rollguard.store.LabelSet;
import io.rollguard.store.MetricFamily;
import io.rollguard.store.SeriesKey;
import io.rollguard.store.SeriesWriter;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WatchedProcessTest {
    private static final long FIVE_SECONDS = Duration.ofSeconds(5).toNanos();
    private static final OptionalLong BOOT = OptionalLong.of(1_700_000_000L);

    private static final Found MASTER = found(100, 500);
    private static final Found WORKER = found(101, 510);
    private static final Found OTHER_WORKER = found(102, 520);
    private static final Found REPLACEMENT = found(200, 9000);
    private static final Found THIRD = found(300, 12000);

    /** What one sample found, and the restart counter expected after it. */
    record Step(List<Found> found, long restarts) {}

    static Stream<Arguments> restartCases() {
        return Stream.of(
                arguments("the same process all along", List.of(
                        new Step(List.of(MASTER), 0), new Step(List.of(MASTER), 0), new Step(List.of(MASTER), 0))),
                arguments("replaced between two samples", List.of(
                        new Step(List.of(MASTER), 0), new Step(List.of(REPLACEMENT), 1))),
                arguments("down, then up as another process: once, when it comes back", List.of(
                        new Step(List.of(MASTER), 0), new Step(List.of(), 0), new Step(List.of(), 0),
                        new Step(List.of(REPLACEMENT), 1), new Step(List.of(REPLACEMENT), 1))),
                arguments("down when the agent starts, then started: a start is not a restart", List.of(
                        new Step(List.of(), 0), new Step(List.of(), 0), new Step(List.of(MASTER), 0))),
                arguments("down, then up as the same process: it never stopped", List.of(
                        new Step(List.of(MASTER), 0), new Step(List.of(), 0), new Step(List.of(MASTER), 0))),
                arguments("a reused pid is another process", List.of(
                        new Step(List.of(found(100, 500)), 0), new Step(List.of(found(100, 7000)), 1))),
                arguments("workers come and go under the same master", List.of(
                        new Step(List.of(MASTER, WORKER), 0), new Step(List.of(OTHER_WORKER, MASTER), 0),
                        new Step(List.of(MASTER), 0))),
                arguments("the master exits, a worker stays", List.of(
                        new Step(List.of(MASTER, WORKER), 0), new Step(List.of(WORKER), 1))),
                arguments("a pid breaks a tie of start times", List.of(
                        new Step(List.of(found(101, 500), found(100, 500)), 0),
                        new Step(List.of(found(101, 500)), 1))),
                arguments("every replacement counts", List.of(
                        new Step(List.of(MASTER), 0), new Step(List.of(REPLACEMENT), 1), new Step(List.of(), 1),
                        new Step(List.of(THIRD), 2))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("restartCases")
    void countsRestarts(String name, List<Step> steps) {
        WatchedProcess process = new WatchedProcess("backend");
        long now = 0;
        for (int i = 0; i < steps.size(); i++) {
            SeriesWriter out = new SeriesWriter();
            process.write(steps.get(i).found(), now, BOOT, out);
            assertThat(value(out, WatchedProcess.RESTARTS)).as("restarts after sample %d", i + 1)
                    .isEqualTo(steps.get(i).restarts());
            now += FIVE_SECONDS;
        }
    }

    @Test
    void cpuUsageIsTheTicksOfOneCoreOverTheSteppedClock() {
        WatchedProcess process = new WatchedProcess("backend");

        SeriesWriter first = write(process, 1_000, cpu(MASTER, 1_000), cpu(WORKER, 400));
        // 150 + 100 ticks of 10 ms in 5 s: half a core.
        SeriesWriter second = write(process, 1_000 + FIVE_SECONDS, cpu(MASTER, 1_150), cpu(WORKER, 500));
        // Two busy cores for 2 s.
        SeriesWriter third = write(process, 1_000 + FIVE_SECONDS + 2_000_000_000L, cpu(MASTER, 1_350),
                cpu(WORKER, 700));

        assertThat(value(first, WatchedProcess.CPU_USAGE)).as("no previous sample").isNull();
        assertThat(value(second, WatchedProcess.CPU_USAGE)).isCloseTo(0.5, within(1e-9));
        assertThat(value(third, WatchedProcess.CPU_USAGE)).isCloseTo(2.0, within(1e-9));
    }

    @Test
    void cpuUsageComparesOnlyProcessesSeenTwice() {
        WatchedProcess process = new WatchedProcess("backend");
        write(process, 0, cpu(MASTER, 1_000), cpu(WORKER, 400));

        // The worker is gone, a new worker's 9000 ticks are from before this interval as far as anyone knows.
        SeriesWriter next = write(process, FIVE_SECONDS, cpu(MASTER, 1_100), cpu(OTHER_WORKER, 9_000));

        assertThat(value(next, WatchedProcess.CPU_USAGE)).isCloseTo(0.2, within(1e-9));
    }

    @Test
    void cpuUsageIsAbsentWhenEveryProcessIsNewAndZeroWhenNoneRuns() {
        WatchedProcess process = new WatchedProcess("backend");
        write(process, 0, cpu(MASTER, 1_000));

        SeriesWriter restarted = write(process, FIVE_SECONDS, cpu(REPLACEMENT, 30));
        SeriesWriter stopped = write(process, 2 * FIVE_SECONDS);
        SeriesWriter sameInstant = write(process, 2 * FIVE_SECONDS);

        assertThat(value(restarted, WatchedProcess.CPU_USAGE)).isNull();
        assertThat(value(stopped, WatchedProcess.CPU_USAGE)).isEqualTo(0.0);
        assertThat(value(sameInstant, WatchedProcess.CPU_USAGE)).as("no time elapsed").isNull();
    }

    @Test
    void sumsOverProcessesAndDatesTheOldest() {
        WatchedProcess process = new WatchedProcess("backend");

        SeriesWriter out = write(process, 0,
                new Found(new Identity(101, 510), 0, 4, 300L << 20, 12),
                new Found(new Identity(100, 500), 0, 7, 200L << 20, 30));

        assertThat(value(out, WatchedProcess.UP)).isEqualTo(1.0);
        assertThat(value(out, WatchedProcess.COUNT)).isEqualTo(2.0);
        assertThat(value(out, WatchedProcess.RESIDENT_MEMORY)).isEqualTo((double) (500L << 20));
        assertThat(value(out, WatchedProcess.THREADS)).isEqualTo(11.0);
        assertThat(value(out, WatchedProcess.OPEN_FILES)).isEqualTo(42.0);
        assertThat(value(out, WatchedProcess.START_TIME)).isEqualTo(1_700_000_005.0);
    }

    @Test
    void descriptorsOfOneUnlistableProcessMakeTheSumUnknown() {
        SeriesWriter out = write(new WatchedProcess("backend"), 0,
                new Found(new Identity(100, 500), 0, 1, 0, 12), new Found(new Identity(101, 510), 0, 1, 0, -1));

        assertThat(value(out, WatchedProcess.OPEN_FILES)).isNull();
        assertThat(value(out, WatchedProcess.COUNT)).isEqualTo(2.0);
    }

    @Test
    void aStoppedProcessIsDownWithNothingToSum() {
        SeriesWriter out = write(new WatchedProcess("backend"), 0);

        assertThat(out.values()).containsOnlyKeys(key(WatchedProcess.UP), key(WatchedProcess.COUNT),
                key(WatchedProcess.RESIDENT_MEMORY), key(WatchedProcess.THREADS), key(WatchedProcess.OPEN_FILES),
                key(WatchedProcess.RESTARTS));
        assertThat(value(out, WatchedProcess.UP)).isEqualTo(0.0);
        assertThat(value(out, WatchedProcess.RESIDENT_MEMORY)).isEqualTo(0.0);
    }

    @Test
    void withoutABootTimeTheStartTimeIsLeftOut() {
        SeriesWriter out = new SeriesWriter();
        new WatchedProcess("backend").write(List.of(MASTER), 0, OptionalLong.empty(), out);

        assertThat(value(out, WatchedProcess.START_TIME)).isNull();
        assertThat(value(out, WatchedProcess.UP)).isEqualTo(1.0);
    }

    private static SeriesWriter write(WatchedProcess process, long nowNanos, Found... found) {
        SeriesWriter out = new SeriesWriter();
        process.write(List.of(found), nowNanos, BOOT, out);
        return out;
    }

    private static Found found(int pid, long startTicks) {
        return new Found(new Identity(pid, startTicks), 0, 1, 4096, 3);
    }

    private static Found cpu(Found process, long cpuTicks) {
        return new Found(process.identity(), cpuTicks, process.threads(), process.residentBytes(),
                process.openFiles());
    }

    private static SeriesKey key(MetricFamily family) {
        return new SeriesKey(family, LabelSet.of("process", "backend"));
    }

    private static Double value(SeriesWriter out, MetricFamily family) {
        return out.values().get(key(family));
    }
}
