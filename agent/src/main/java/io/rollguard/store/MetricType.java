package io.rollguard.store;

/** How a series is exported: a gauge goes up and down, a counter only grows, an info carries labels and value 1. */
public enum MetricType {
    GAUGE,
    COUNTER,
    INFO
}
