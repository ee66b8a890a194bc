package dev.baton.nativetest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A systemd unit file read the way systemd reads it: {@code [Section]} headers, {@code Key=value}
 * lines, {@code #}/{@code ;} comments, a trailing backslash continuing a line, and an empty
 * assignment resetting a list setting. For checks that {@code systemd-analyze verify} cannot make,
 * such as a timeout being longer than batond's drain timeout.
 */
record UnitFile(Path path, List<Setting> settings) {
    private static final Pattern TIMESPAN_PART = Pattern.compile("(\\d+)\\s*(us|ms|sec|s|min|m|hr|h)?\\s*");

    record Setting(String section, String key, String value) {}

    static UnitFile read(Path path) throws IOException {
        List<Setting> settings = new ArrayList<>();
        String section = "";
        StringBuilder pending = new StringBuilder();
        for (String raw : Files.readAllLines(path)) {
            String line = raw.strip();
            if (pending.isEmpty() && (line.isEmpty() || line.startsWith("#") || line.startsWith(";"))) {
                continue;
            }
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            pending.append(line);
            String logical = pending.toString();
            pending.setLength(0);
            if (logical.startsWith("[") && logical.endsWith("]")) {
                section = logical.substring(1, logical.length() - 1);
            } else {
                int eq = logical.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException(path + ": not a Key=value line: " + logical);
                }
                settings.add(new Setting(section, logical.substring(0, eq).strip(), logical.substring(eq + 1).strip()));
            }
        }
        return new UnitFile(path, List.copyOf(settings));
    }

    /** Every value given to {@code key} in {@code section}, in order; an empty one clears those before it. */
    List<String> values(String section, String key) {
        List<String> values = new ArrayList<>();
        for (Setting setting : settings) {
            if (setting.section().equals(section) && setting.key().equals(key)) {
                if (setting.value().isEmpty()) {
                    values.clear();
                } else {
                    values.add(setting.value());
                }
            }
        }
        return values;
    }

    /** The value systemd uses for a single-valued setting: the last assignment. */
    Optional<String> value(String section, String key) {
        String last = null;
        for (Setting setting : settings) {
            if (setting.section().equals(section) && setting.key().equals(key)) {
                last = setting.value();
            }
        }
        return Optional.ofNullable(last);
    }

    /** A setting that must be present; fails naming the file otherwise. */
    String required(String section, String key) {
        return value(section, key).orElseThrow(() -> new AssertionError(path + ": no " + key + "= in [" + section + "]"));
    }

    boolean has(String section, String key) {
        return value(section, key).isPresent();
    }

    /**
     * A systemd time span ({@code 45s}, {@code 2min 30s}, {@code 90}: seconds when unitless).
     * batond's durations ({@code 500ms}, {@code 30s}, {@code 2m}) are a subset of this syntax.
     */
    static Duration timespan(String text) {
        Matcher part = TIMESPAN_PART.matcher(text.strip());
        Duration total = Duration.ZERO;
        int at = 0;
        while (at < text.strip().length()) {
            if (!part.find(at) || part.start() != at) {
                throw new IllegalArgumentException("not a time span: " + text);
            }
            long n = Long.parseLong(part.group(1));
            String unit = part.group(2) == null ? "s" : part.group(2);
            total = total.plus(switch (unit) {
                case "us" -> Duration.ofNanos(n * 1000);
                case "ms" -> Duration.ofMillis(n);
                case "s", "sec" -> Duration.ofSeconds(n);
                case "m", "min" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            });
            at = part.end();
        }
        return total;
    }
}
