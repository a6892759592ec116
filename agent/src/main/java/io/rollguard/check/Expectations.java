package io.rollguard.check;

import java.util.ArrayList;
import java.util.List;

/** Collects the expectations a run missed, so the message names all of them, not only the first. */
final class Expectations {
    private final List<String> missed = new ArrayList<>();

    void require(boolean holds, String whyNot) {
        if (!holds) {
            missed.add(whyNot);
        }
    }

    void miss(String whyNot) {
        missed.add(whyNot);
    }

    boolean met() {
        return missed.isEmpty();
    }

    /** A passing summary, or every miss joined by "; ". */
    CheckResult result(String summary, double value) {
        if (missed.isEmpty()) {
            return CheckResult.passed(summary, value);
        }
        return CheckResult.failed(String.join("; ", missed), value);
    }
}
