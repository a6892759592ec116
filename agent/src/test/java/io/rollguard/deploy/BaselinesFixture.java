package io.rollguard.deploy;

import java.time.Duration;
import java.util.List;

/** Captured baselines with chosen values, for tests outside this package that show a deployment. */
public final class BaselinesFixture {
    private BaselinesFixture() {}

    public static CapturedBaselines of(Duration window, List<CapturedBaselines.Value> values, List<String> missing) {
        return new CapturedBaselines(window, values, missing);
    }
}
