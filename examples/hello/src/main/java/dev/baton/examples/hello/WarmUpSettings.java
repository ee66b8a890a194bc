package dev.baton.examples.hello;

import java.time.Duration;

/**
 * hello's warm-up, from its environment: {@code HELLO_WARMUP_REQUESTS=N} requests (at least), in
 * rounds over loopback connections to a private port ({@link LoopbackWarmUp}), then, with
 * {@code HELLO_WARMUP_JIT_IDLE_S=S}, more rounds until the JIT is idle, at most S seconds
 * ({@link dev.baton.child.Baton#warmUpUntilJitIdle}).
 */
final class WarmUpSettings {
    static final String REQUESTS_VARIABLE = "HELLO_WARMUP_REQUESTS";
    static final String JIT_IDLE_VARIABLE = "HELLO_WARMUP_JIT_IDLE_S";
    /** More than enough to get the service compiled; a typo cannot keep a start busy for hours. */
    static final int MAX = 1_000_000;
    /** Ten minutes: longer than any JIT needs, short enough that a typo does not stall a start for days. */
    static final int MAX_JIT_IDLE_SECONDS = 600;

    private WarmUpSettings() {
    }

    /** {@code HELLO_WARMUP_REQUESTS}: unset or blank is 0 (no warm-up); else a whole number from 0 to {@link #MAX}. */
    static int count(String value) {
        return wholeNumber(REQUESTS_VARIABLE, value, MAX);
    }

    /** {@code HELLO_WARMUP_JIT_IDLE_S}: unset, blank or 0 is none (null); else at most that many seconds. */
    static Duration jitIdleAtMost(String value) {
        int seconds = wholeNumber(JIT_IDLE_VARIABLE, value, MAX_JIT_IDLE_SECONDS);
        return seconds == 0 ? null : Duration.ofSeconds(seconds);
    }

    /** Unset or blank is 0; anything but a whole number from 0 to {@code max} is refused with one line. */
    private static int wholeNumber(String name, String value, int max) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        String text = value.trim();
        if (text.length() <= 7 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int n = Integer.parseInt(text);
            if (n <= max) {
                return n;
            }
        }
        String shown = (text.length() > 20 ? text.substring(0, 20) + "..." : text).replaceAll("\\p{Cntrl}", "?");
        throw new IllegalArgumentException(name + "='" + shown + "' is not a whole number from 0 to " + max);
    }
}
