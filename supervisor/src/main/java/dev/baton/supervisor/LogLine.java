package dev.baton.supervisor;

import java.io.PrintStream;
import java.util.Locale;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * batond's logger: one line per event on stderr (the journal under systemd), as
 * {@code 2026-11-26T02:17:34.740Z INFO  batond: message} (UTC). A few dozen lines instead of logback
 * and its XML configuration, several hundred classes that batond, resident for months, would
 * carry in memory for nothing. The level is {@code $BATOND_LOG_LEVEL} (default INFO);
 * third-party loggers (io.netty, ...) log warnings and errors only.
 */
final class LogLine extends LegacyAbstractLogger {
    static final Level THRESHOLD = threshold(System.getenv("BATOND_LOG_LEVEL"));

    private final transient PrintStream out;
    private final Level threshold;

    LogLine(String name, PrintStream out) {
        this.name = name;
        this.out = out;
        // batond's own loggers are named "batond"; anything else is a library's.
        this.threshold = name.equals("batond") || name.startsWith("dev.baton") ? THRESHOLD : Level.WARN;
    }

    static Level threshold(String text) {
        if (text == null || text.isBlank()) {
            return Level.INFO;
        }
        try {
            return Level.valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Level.INFO;
        }
    }

    private boolean enabled(Level level) {
        return level.toInt() >= threshold.toInt();
    }

    @Override
    public boolean isTraceEnabled() {
        return enabled(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
        return enabled(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return enabled(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return enabled(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
        return enabled(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
                                               Throwable throwable) {
        String message = MessageFormatter.basicArrayFormat(pattern, arguments);
        String label = level.toString();
        String line = UtcTime.now() + " " + label + " ".repeat(Math.max(1, 6 - label.length())) + "batond: " + message;
        // One println per event, so that lines from different threads never interleave.
        synchronized (out) {
            out.println(line);
            if (throwable != null) {
                throwable.printStackTrace(out);
            }
        }
    }
}
