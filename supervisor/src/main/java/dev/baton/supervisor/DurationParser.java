package dev.baton.supervisor;

import java.time.Duration;

/** Durations on the command line: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}. */
final class DurationParser {
    private DurationParser() {}

    static Duration parse(String text) {
        String t = text.trim();
        int digits = 0;
        while (digits < t.length() && t.charAt(digits) >= '0' && t.charAt(digits) <= '9') {
            digits++;
        }
        String unit = t.substring(digits);
        if (digits == 0 || digits > 18 || !(unit.equals("ms") || unit.equals("s") || unit.equals("m") || unit.equals("h"))) {
            throw new IllegalArgumentException("'" + text + "' is not a duration like 500ms, 30s, 2m or 1h");
        }
        long n = Long.parseLong(t.substring(0, digits));
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    /** Seconds with two decimals, {@code 1.08s}; "?" for null. */
    static String seconds(Duration d) {
        if (d == null) {
            return "?";
        }
        long hundredths = (d.toMillis() + 5) / 10;
        long rest = hundredths % 100;
        return hundredths / 100 + "." + (rest < 10 ? "0" : "") + rest + "s";
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }
}
