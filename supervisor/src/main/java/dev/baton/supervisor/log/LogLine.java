package dev.baton.supervisor.log;

import java.io.PrintWriter;
import java.io.StringWriter;
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
 *
 * <p>A line is made (and timestamped) when the event happens, by the thread that logs it, and handed
 * to a {@link LogOutput}, which never makes that thread wait: see there for a stalled output.
 */
public final class LogLine extends LegacyAbstractLogger {
    static final Level THRESHOLD = threshold(System.getenv("BATOND_LOG_LEVEL"));

    private final transient LogOutput out;
    private final Level threshold;

    LogLine(String name, LogOutput out) {
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
        String line = format(level.toString(), MessageFormatter.basicArrayFormat(pattern, arguments));
        if (throwable == null) {
            out.write(line + "\n");
            return;
        }
        // The stack trace travels with its line, as one entry: lines from other threads never interleave.
        StringWriter trace = new StringWriter();
        trace.append(line).append('\n');
        try (PrintWriter w = new PrintWriter(trace)) {
            throwable.printStackTrace(w);
        }
        out.write(trace.toString());
    }

    /** {@code 2026-11-26T02:17:34.740Z INFO  batond: message}, timestamped now, without a newline. */
    static String format(String level, String message) {
        return UtcTime.now() + " " + level + " ".repeat(Math.max(1, 6 - level.length())) + "batond: " + message;
    }
}
