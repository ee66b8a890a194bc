package dev.baton.supervisor.log;

/**
 * Timestamps for batond's log lines and status, {@code 2026-11-26T02:17:34.740Z}, and its state
 * file's instants ({@link #iso}), computed by hand: java.time's formatters and time-zone rules
 * would add a few megabytes of classes to a daemon that otherwise never needs them.
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
        long msOfDay = Math.floorMod(ms, 86_400_000L);
        StringBuilder b = dateAndTime(Math.floorDiv(ms, 86_400_000L), msOfDay / 1000);
        digits(b.append('.'), (int) (msOfDay % 1000), 3);
        return b.append('Z').toString();
    }

    /**
     * {@code instant.toString()}, character for character (seconds always, then 3, 6 or 9 digits of
     * fraction as its nanoseconds need, none for 0), without java.time's formatter: the state file
     * holds about a hundred instants and is written several times per reload, when the formatter's
     * interpreted work was a third of the writer's CPU. Years before 1970 or after 9999 (never
     * batond's) go to {@code Instant.toString}.
     */
    public static String iso(java.time.Instant instant) {
        long seconds = instant.getEpochSecond();
        if (seconds < 0 || seconds > LAST_SECOND_OF_9999) {
            return instant.toString();
        }
        StringBuilder b = dateAndTime(seconds / 86_400, seconds % 86_400);
        int nanos = instant.getNano();
        if (nanos != 0) {
            b.append('.');
            if (nanos % 1_000_000 == 0) {
                digits(b, nanos / 1_000_000, 3);
            } else if (nanos % 1000 == 0) {
                digits(b, nanos / 1000, 6);
            } else {
                digits(b, nanos, 9);
            }
        }
        return b.append('Z').toString();
    }

    /** 9999-12-31T23:59:59Z. */
    private static final long LAST_SECOND_OF_9999 = 253_402_300_799L;

    /** {@code 2026-11-26T02:17:34}: the civil date of {@code days} since 1970-01-01 and the time of day. */
    private static StringBuilder dateAndTime(long days, long secondOfDay) {
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
        StringBuilder b = new StringBuilder(30);
        b.append(year).append('-');
        two(b, month).append('-');
        two(b, day).append('T');
        two(b, secondOfDay / 3600).append(':');
        two(b, secondOfDay / 60 % 60).append(':');
        return two(b, secondOfDay % 60);
    }

    private static StringBuilder two(StringBuilder b, long n) {
        return b.append(n < 10 ? "0" : "").append(n);
    }

    /** {@code n}, zero-padded to {@code width} digits. */
    private static void digits(StringBuilder b, int n, int width) {
        for (int limit = 10, i = 1; i < width; i++, limit *= 10) {
            if (n < limit) {
                b.append('0');
            }
        }
        b.append(n);
    }
}
