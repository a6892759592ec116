package io.rollguard.check;

import java.io.IOException;

/**
 * One verification of a deployment checklist. A failed expectation is a result ({@link CheckResult#failed});
 * an exception means the check could not run at all. Implementations bound their own waiting by the timeout they
 * were built with; the runner cuts off any run that still exceeds it.
 */
public interface Check {
    CheckResult run() throws IOException, InterruptedException;
}
