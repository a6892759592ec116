package io.rollguard.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SeriesHistoryTest {
    private static final long SECOND = 1_000_000_000L;
    private static final SeriesKey KEY = new SeriesKey(MetricFamily.gauge("rollguard_test", "Test."), LabelSet.EMPTY);

    private final SampleBuffer buffer = new SampleBuffer();

    /** Samples at seconds 1..appended with values equal to their second; read back at a time over a window. */
    static Stream<Arguments> reads() {
        return Stream.of(
                arguments("empty", 4, 0, 10, 60, List.of()),
                arguments("fewer than the capacity", 4, 3, 3, 60, List.of(1.0, 2.0, 3.0)),
                arguments("exactly the capacity", 4, 4, 4, 60, List.of(1.0, 2.0, 3.0, 4.0)),
                arguments("wrapped around: the oldest are overwritten", 4, 10, 10, 60, List.of(7.0, 8.0, 9.0, 10.0)),
                arguments("wrapped around many times", 3, 1000, 1000, 60, List.of(998.0, 999.0, 1000.0)),
                arguments("window shorter than the ring", 8, 8, 8, 3, List.of(6.0, 7.0, 8.0)),
                arguments("window start is exclusive", 8, 8, 8, 2, List.of(7.0, 8.0)),
                arguments("samples aged out of the window", 8, 8, 20, 5, List.of()),
                arguments("read later than the newest sample", 8, 8, 10, 5, List.of(6.0, 7.0, 8.0)),
                arguments("samples newer than the read are left out", 8, 8, 5, 3, List.of(3.0, 4.0, 5.0)),
                arguments("read before every sample", 8, 8, 0, 60, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reads")
    void readsTheSamplesInTheWindowOldestFirst(String name, int capacity, int appended, int readAtSecond,
            int windowSeconds, List<Double> expected) {
        SeriesHistory history = new SeriesHistory(KEY, capacity);
        for (int second = 1; second <= appended; second++) {
            history.append(second * SECOND, second);
        }

        history.read(Duration.ofSeconds(windowSeconds), readAtSecond * SECOND, buffer);

        assertThat(values(buffer)).isEqualTo(expected);
        for (int i = 0; i < buffer.size(); i++) {
            assertThat(buffer.timeNanos(i)).isEqualTo((long) buffer.value(i) * SECOND);
        }
    }

    @Test
    void memoryNeverGrowsPastTheCapacity() {
        SeriesHistory history = new SeriesHistory(KEY, 302);
        for (int second = 1; second <= 100_000; second++) {
            history.append(second * SECOND, second);
        }

        assertThat(history.capacity()).isEqualTo(302);
        assertThat(history.size()).isEqualTo(302);
    }

    @Test
    void growingKeepsEverySampleAndRoomForMore() {
        SeriesHistory history = new SeriesHistory(KEY, 3);
        for (int second = 1; second <= 5; second++) {
            history.append(second * SECOND, second);
        }

        history.resize(5);
        history.append(6 * SECOND, 6);
        history.append(7 * SECOND, 7);
        history.read(Duration.ofHours(1), 7 * SECOND, buffer);

        assertThat(history.capacity()).isEqualTo(5);
        assertThat(values(buffer)).containsExactly(3.0, 4.0, 5.0, 6.0, 7.0);
    }

    @Test
    void shrinkingKeepsTheNewestSamples() {
        SeriesHistory history = new SeriesHistory(KEY, 6);
        for (int second = 1; second <= 8; second++) {
            history.append(second * SECOND, second);
        }

        history.resize(2);
        history.read(Duration.ofHours(1), 8 * SECOND, buffer);

        assertThat(values(buffer)).containsExactly(7.0, 8.0);
    }

    @Test
    void aSampleNotNewerThanTheNewestIsDropped() {
        SeriesHistory history = new SeriesHistory(KEY, 4);
        history.append(2 * SECOND, 2);
        history.append(2 * SECOND, 20);
        history.append(SECOND, 1);
        history.append(3 * SECOND, 3);

        history.read(Duration.ofHours(1), 3 * SECOND, buffer);

        assertThat(values(buffer)).containsExactly(2.0, 3.0);
    }

    @Test
    void aBufferIsReusedAcrossReads() {
        SeriesHistory longer = new SeriesHistory(KEY, 100);
        SeriesHistory shorter = new SeriesHistory(KEY, 100);
        for (int second = 1; second <= 100; second++) {
            longer.append(second * SECOND, second);
        }
        shorter.append(100 * SECOND, -1);

        longer.read(Duration.ofHours(1), 100 * SECOND, buffer);
        assertThat(buffer.size()).isEqualTo(100);
        shorter.read(Duration.ofHours(1), 100 * SECOND, buffer);

        assertThat(values(buffer)).containsExactly(-1.0);
        assertThatThrownBy(() -> buffer.value(1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void aRingHoldsAtLeastOneSample() {
        assertThatThrownBy(() -> new SeriesHistory(KEY, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a history holds at least one sample, got capacity 0");
    }

    private static List<Double> values(SampleBuffer buffer) {
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < buffer.size(); i++) {
            values.add(buffer.value(i));
        }
        return values;
    }
}
