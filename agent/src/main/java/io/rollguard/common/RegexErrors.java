package io.rollguard.common;

import java.util.regex.PatternSyntaxException;

/** What a person reads about a regular expression that does not compile. */
public final class RegexErrors {
    private RegexErrors() {}

    /**
     * The compiler's description, except where it says nothing useful: Java reports a trailing backslash, which
     * escapes nothing, as "Unexpected internal error".
     */
    public static String describe(PatternSyntaxException e) {
        return trailingBackslash(e) ? "a trailing \\ escapes nothing (write \\\\ for a backslash)"
                : e.getDescription();
    }

    /** Where the error is, counting from 1: the trailing backslash itself, not the end past it. */
    public static int character(PatternSyntaxException e) {
        return trailingBackslash(e) ? e.getPattern().length() : e.getIndex() + 1;
    }

    private static boolean trailingBackslash(PatternSyntaxException e) {
        String pattern = e.getPattern();
        int trailing = 0;
        while (pattern != null && trailing < pattern.length()
                && pattern.charAt(pattern.length() - 1 - trailing) == '\\') {
            trailing++;
        }
        return trailing % 2 == 1;
    }
}
