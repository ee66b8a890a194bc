package dev.baton.supervisor.log;

/**
 * Timestamps for batond's log lines, {@code 2026-11-26T02:17:34.740Z}, computed by hand: java.time's
 * formatters and time-zone rules would add a few megabytes of classes to a daemon that otherwise
 * never needs them.
 */
public final class UtcTime {
    private UtcTime() {}

    public static String now() {
        return format(System.currentTimeMillis());
    }

    /** As {@link #format(long)}; {@code Instant.toString} would load java.time's formatters. */
    public static String format(java.time.Instant instant) {
        return format(instant.toEpochMilli());
    }

    /** ISO 8601 in UTC with milliseconds, for epoch milliseconds {@code ms}. */
    public static String format(long ms) {
        long days = Math.floorDiv(ms, 86_400_000L);
        long msOfDay = Math.floorMod(ms, 86_400_000L);
        // Civil date from days since 1970-01-01 (Howard Hinnant's days_from_civil, inverted).
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long mp = (5 * dayOfYear + 2) / 153;
        long day = dayOfYear - (153 * mp + 2) / 5 + 1;
        long month = mp < 10 ? mp + 3 : mp - 9;
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        StringBuilder b = new StringBuilder(24);
        b.append(year).append('-');
        two(b, month).append('-');
        two(b, day).append('T');
        two(b, msOfDay / 3_600_000).append(':');
        two(b, msOfDay / 60_000 % 60).append(':');
        two(b, msOfDay / 1000 % 60).append('.');
        long millis = msOfDay % 1000;
        return b.append(millis < 100 ? "0" : "").append(millis < 10 ? "0" : "").append(millis).append('Z').toString();
    }

    private static StringBuilder two(StringBuilder b, long n) {
        return b.append(n < 10 ? "0" : "").append(n);
    }
}
