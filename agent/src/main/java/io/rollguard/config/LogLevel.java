package io.rollguard.config;

/** How much the agent logs; {@code info} logs one line per event that matters and nothing per tick. */
public enum LogLevel {
    ERROR,
    WARN,
    INFO,
    DEBUG,
    TRACE
}
