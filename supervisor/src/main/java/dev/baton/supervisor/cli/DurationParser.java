package dev.baton.supervisor.cli;

import dev.baton.supervisor.lifecycle.Durations;

import java.time.Duration;

/**
 * Durations on the command line: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}: a whole
 * number and a unit, nothing else (no sign, no fraction, no space, no exponent).
 */
public final class DurationParser {
    private static final String LIKE = " is not a duration like 500ms, 30s, 2m or 1h";

    private DurationParser() {}

    /** Any well-formed duration that fits a long of milliseconds; IllegalArgumentException otherwise. */
    public static Duration parse(String text) {
        return parse(text, Duration.ofMillis(Long.MAX_VALUE));
    }

    /**
     * A duration from 1ms to {@code max}. IllegalArgumentException names the value, and the range
     * when the value is well formed but outside it ({@code -5s}, {@code 0s}, {@code 25h},
     * {@code 999999999999999999h}): such values are never turned into a Duration, so nothing
     * downstream ({@code now.plus(d)}, {@code d.toNanos()}) can overflow.
     */
    public static Duration parse(String text, Duration max) {
        return parse(text, max, false);
    }

    /** As {@link #parse(String, Duration)}, and zero ({@code 0}, {@code 0s}, {@code 0ms}...) is allowed: "off". */
    public static Duration parseOrZero(String text, Duration max) {
        return parse(text, max, true);
    }

    private static Duration parse(String text, Duration max, boolean zero) {
        String t = text.trim();
        if (zero && t.equals("0")) {
            return Duration.ZERO;
        }
        boolean negative = t.startsWith("-");
        int start = negative ? 1 : 0;
        int end = start;
        while (end < t.length() && t.charAt(end) >= '0' && t.charAt(end) <= '9') {
            end++;
        }
        long unitMillis = unitMillis(t.substring(end));
        if (end == start || unitMillis == 0) {
            throw new IllegalArgumentException("'" + SocketPaths.printable(text) + "'" + LIKE + " (" + range(max, zero) + ")");
        }
        while (start < end - 1 && t.charAt(start) == '0') {
            start++; // leading zeros say nothing
        }
        String digits = t.substring(start, end);
        // 18 digits always fit a long; more are out of any range batond accepts.
        long n = digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits);
        if (negative || n == 0 && !zero || n > max.toMillis() / unitMillis) {
            throw new IllegalArgumentException("'" + SocketPaths.printable(text) + "' is out of range: " + range(max, zero));
        }
        return Duration.ofMillis(n * unitMillis);
    }

    /** "from 1ms to 24h". */
    static String range(Duration max) {
        return range(max, false);
    }

    private static String range(Duration max, boolean zero) {
        long ms = max.toMillis();
        return "from " + (zero ? "0" : "1ms") + " to " + (ms % 3_600_000 == 0 ? ms / 3_600_000 + "h" : Durations.format(max));
    }

    private static long unitMillis(String unit) {
        return switch (unit) {
            case "ms" -> 1;
            case "s" -> 1_000;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            default -> 0;
        };
    }
}
