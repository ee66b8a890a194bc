package dev.baton.supervisor.lifecycle;

import java.time.Duration;

/** Durations as batond writes them in its log and answers: {@code 30s}, {@code 500ms}, {@code 1.08s}. */
public final class Durations {
    private Durations() {}

    /** Seconds with two decimals, {@code 1.08s}; "?" for null. */
    public static String seconds(Duration d) {
        if (d == null) {
            return "?";
        }
        long hundredths = (d.toMillis() + 5) / 10;
        long rest = hundredths % 100;
        return hundredths / 100 + "." + (rest < 10 ? "0" : "") + rest + "s";
    }

    /** Whole seconds when it is, else milliseconds: {@code 30s}, {@code 1500ms}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }
}
