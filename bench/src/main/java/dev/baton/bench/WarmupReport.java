package dev.baton.bench;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The warm-up a generation reported before READY (issue 14: {@code WARMUP_MS=} in its READY
 * frame), as batond shows it: in {@code batonctl status} (any numeric field of the generation or
 * of its reload's "new" part whose name says warm-up) or, failing that, in a log line from its
 * start to READY. Null when neither says: a service or a batond without warm-up.
 */
final class WarmupReport {
    /** {@code WARMUP_MS=312}, {@code warmup_ms: 312}. */
    static final Pattern MILLIS_FIELD = Pattern.compile("(?i)warm-?up_?ms[=:]\\s*(\\d+)");
    /**
     * {@code warm-up 0.31s}, {@code warmup took 312 ms}, {@code warm-up: 200 requests in 80 ms}: the
     * first number with a unit after the word; a count of requests alone does not match.
     */
    static final Pattern DURATION = Pattern.compile("(?i)warm-?up.{0,60}?(\\d+(?:\\.\\d+)?)\\s*(ms|s)\\b");

    private WarmupReport() {}

    /** Milliseconds of warm-up for {@code generation} in a parsed status answer, or null. */
    static Long fromStatus(Object status, int generation) {
        if (!(status instanceof Map<?, ?> root)) {
            return null;
        }
        for (Object reload : list(root.get("reloads"))) {
            if (reload instanceof Map<?, ?> r && r.get("new") instanceof Map<?, ?> fresh && is(fresh.get("generation"), generation)) {
                Long found = warmupField(fresh);
                if (found != null) {
                    return found;
                }
            }
        }
        for (Object g : list(root.get("generations"))) {
            if (g instanceof Map<?, ?> gen && is(gen.get("generation"), generation)) {
                return warmupField(gen);
            }
        }
        return null;
    }

    /** Milliseconds of warm-up in the first of {@code lines} that reports one, or null. */
    static Long fromLog(List<String> lines) {
        for (String line : lines) {
            Matcher field = MILLIS_FIELD.matcher(line);
            if (field.find()) {
                return Long.parseLong(field.group(1));
            }
            Matcher duration = DURATION.matcher(line);
            if (duration.find()) {
                double value = Double.parseDouble(duration.group(1));
                return Math.round(duration.group(2).equalsIgnoreCase("s") ? value * 1000 : value);
            }
        }
        return null;
    }

    private static Long warmupField(Map<?, ?> map) {
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String key = String.valueOf(entry.getKey()).toLowerCase();
            if (key.replace("-", "").replace("_", "").contains("warmup") && entry.getValue() instanceof Double value) {
                // batond reports durations in ms (ready_ms, drain_ms); a name in seconds would say so.
                return Math.round(key.endsWith("_s") || key.endsWith("seconds") ? value * 1000 : value);
            }
        }
        return null;
    }

    private static boolean is(Object number, int value) {
        return number instanceof Double d && d == value;
    }

    private static List<?> list(Object value) {
        return value instanceof List<?> list ? list : List.of();
    }
}
