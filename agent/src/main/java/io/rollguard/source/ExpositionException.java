package io.rollguard.source;

/** What is wrong with a source's answer: an exposition line that does not parse, a query result of the wrong kind. */
final class ExpositionException extends Exception {
    private static final long serialVersionUID = 1L;

    public ExpositionException(String message) {
        super(message);
    }
}
