package io.rollguard.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;

/**
 * One line per event. Under journald (JOURNAL_STREAM set) the line starts with the syslog priority, {@code <4>},
 * which journald turns into the entry's priority, and carries no timestamp, since the journal has its own;
 * on a terminal it starts with an ISO timestamp.
 */
final class ConsoleLayout extends LayoutBase<ILoggingEvent> {
    private final boolean journald;

    ConsoleLayout(boolean journald) {
        this.journald = journald;
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(128);
        if (journald) {
            line.append('<').append(priority(event.getLevel())).append('>');
        } else {
            line.append(Instant.ofEpochMilli(event.getTimeStamp())).append(' ');
        }
        line.append(String.format("%-5s", event.getLevel())).append(' ')
                .append(component(event.getLoggerName())).append(": ")
                .append(event.getFormattedMessage())
                .append(CoreConstants.LINE_SEPARATOR);
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            line.append(ThrowableProxyUtil.asString(thrown)).append(CoreConstants.LINE_SEPARATOR);
        }
        return line.toString();
    }

    private static int priority(Level level) {
        switch (level.toInt()) {
            case Level.ERROR_INT:
                return 3;
            case Level.WARN_INT:
                return 4;
            case Level.INFO_INT:
                return 6;
            default:
                return 7;
        }
    }

    /** The class name without its package: {@code SamplerRunner}, not {@code io.rollguard.schedule.SamplerRunner}. */
    private static String component(String loggerName) {
        int dot = loggerName.lastIndexOf('.');
        return dot < 0 ? loggerName : loggerName.substring(dot + 1);
    }
}
