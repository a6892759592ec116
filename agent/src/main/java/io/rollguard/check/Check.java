package io.rollguard.check;

import java.io.IOException;
import java.util.List;

/**
 * One verification of a deployment checklist. A failed expectation is a result ({@link CheckResult#failed});
 * an exception means the check could not run at all. Implementations bound their own waiting by the timeout they
 * were built with; the runner cuts off any run that still exceeds it.
 */
public interface Check {
    CheckResult run() throws IOException, InterruptedException;

    /**
     * The last lines this check found noteworthy (a log check's matching lines), oldest first, bounded; for an
     * incident record. Never blocks on a run in progress. Empty for checks that keep none.
     */
    default List<String> recentMatches() {
        return List.of();
    }
}
