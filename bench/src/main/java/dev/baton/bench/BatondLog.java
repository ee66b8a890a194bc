package dev.baton.bench;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/** batond's log lines the benchmark waits for, and the timestamp batond puts at the start of each. */
final class BatondLog {
    private BatondLog() {}

    static final Pattern RELOAD_REQUESTED = Pattern.compile("batond: reload requested \\(SIG");

    static Pattern spawned(int generation) {
        return Pattern.compile("batond: gen=" + generation + " pid=(\\d+) spawned");
    }

    /** Group 2 is set when the reload failed instead, with the reason. */
    static Pattern readyOrFailed(int generation) {
        return Pattern.compile("batond: (gen=" + generation + " pid=\\d+ ready|(?:reload|start) to gen="
                + generation + " failed: (.*))");
    }

    static Pattern draining(int generation) {
        return Pattern.compile("batond: gen=" + generation + " pid=\\d+ draining");
    }

    static Pattern exitedOrKilled(int generation) {
        return Pattern.compile("batond: gen=" + generation + " pid=\\d+ (exited|killed)");
    }

    /** The instant at the start of a batond line ({@code 2026-01-02T03:04:05.678Z INFO batond: ...}). */
    static Instant timestamp(String line) {
        int space = line.indexOf(' ');
        try {
            return OffsetDateTime.parse(space < 0 ? line : line.substring(0, space)).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("batond line without a timestamp: " + line, e);
        }
    }
}
