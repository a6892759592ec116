package io.rollguard.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SparklineTest {
    private static final Duration WINDOW = Duration.ofMinutes(1);

    private static Sparkline line(double threshold, double... agesAndValues) {
        List<Sparkline.Sample> samples = new ArrayList<>();
        for (int i = 0; i < agesAndValues.length; i += 2) {
            samples.add(new Sparkline.Sample(agesAndValues[i], agesAndValues[i + 1]));
        }
        return new Sparkline("load1", WINDOW, samples, threshold);
    }

    @Test
    void pointsRunOverTheWindowWithTheLowestValueAtTheBottom() {
        // 160 wide, 32 high, 2 of padding: values 0..1 map to y 30..2; ages 60..0 s to x 0..160.
        Sparkline line = line(Double.NaN, 60, 0, 30, 0.5, 15, 0.25, 0, 1);

        assertThat(line.points()).isEqualTo("0,30 80,16 120,23 160,2");
        assertThat(line.thresholdY()).isNaN();
        assertThat(line.last()).isEqualTo(1);
        assertThat(line.span()).isEqualTo(WINDOW);
    }

    @Test
    void theThresholdWidensTheScaleAndGetsItsLine() {
        Sparkline line = line(2, 60, 0, 0, 1);

        assertThat(line.points()).isEqualTo("0,30 160,16");
        assertThat(line.thresholdY()).isEqualTo(2);
    }

    @Test
    void aYoungHistorySpansTheWidthAndSamplesOlderThanTheWindowAreClamped() {
        assertThat(line(Double.NaN, 20, 1, 10, 3, 0, 2).points()).isEqualTo("0,30 80,2 160,16");
        assertThat(line(Double.NaN, 20, 1, 10, 3, 0, 2).span()).isEqualTo(Duration.ofSeconds(20));
        assertThat(line(Double.NaN, 90, 1, 0, 2).points()).isEqualTo("0,30 160,2");
    }

    @Test
    void aFlatLineRunsThroughTheMiddleAndOneSampleIsAPointAtNow() {
        assertThat(line(Double.NaN, 60, 5, 0, 5).points()).isEqualTo("0,16 160,16");
        assertThat(line(Double.NaN, 0, 5).points()).isEqualTo("160,16");
    }

    @Test
    void missingValuesAreSkippedAndNoValueIsNoLine() {
        assertThat(line(Double.NaN, 60, 0, 30, Double.NaN, 0, 1).points()).isEqualTo("0,30 160,2");
        Sparkline empty = line(0.5);
        assertThat(empty.points()).isEmpty();
        assertThat(empty.thresholdY()).isNaN();
        assertThat(empty.last()).isNaN();
    }

    @Test
    void aLongHistoryIsDrawnAsEachBucketsLowestAndHighestInTimeOrder() {
        List<Sparkline.Sample> samples = new ArrayList<>();
        for (int second = 600; second >= 0; second--) { // ten samples per bucket of 1.5 s
            samples.add(new Sparkline.Sample(second / 10.0, second % 7));
        }
        Sparkline line = new Sparkline("x", WINDOW, samples, Double.NaN);

        String[] points = line.points().split(" ");
        assertThat(points).hasSizeLessThanOrEqualTo(2 * Sparkline.BUCKETS).hasSizeGreaterThan(Sparkline.BUCKETS);
        assertThat(points).allSatisfy(p -> assertThat(p).matches("\\d+,(2|30)"));
        double previousX = -1;
        for (String point : points) {
            double x = Double.parseDouble(point.split(",")[0]);
            assertThat(x).isGreaterThanOrEqualTo(previousX);
            previousX = x;
        }
    }
}
