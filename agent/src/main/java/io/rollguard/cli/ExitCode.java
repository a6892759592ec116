package io.rollguard.cli;

/** The exit codes every command shares, so deploy scripts can tell a failed check from a broken invocation. */
final class ExitCode {
    public static final int OK = 0;
    /** A check or validation failed, or the agent could not run. */
    public static final int FAILED = 1;
    /** The command line or the configuration is wrong. */
    public static final int USAGE = 2;

    private ExitCode() {}
}
