package io.rollguard.common;

/** How a component's failure reads in logs and in {@code /health/detailed}. */
public final class Failures {
    private Failures() {}

    /** "IOException: /proc/meminfo: malformed line 3", or the type alone when the exception says nothing. */
    public static String describe(Exception e) {
        String message = e.getMessage();
        String type = e.getClass().getSimpleName();
        return message == null || message.isBlank() ? type : type + ": " + message;
    }
}
