package io.rollguard.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.rollguard.config.LogLevel;
import org.slf4j.LoggerFactory;

/** Applies {@code [agent] log_level} to the agent's loggers. */
public final class Logging {
    private Logging() {}

    public static void setLevel(LogLevel level) {
        org.slf4j.Logger root = LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root instanceof Logger) {
            ((Logger) root).setLevel(Level.toLevel(level.name()));
        }
    }
}
