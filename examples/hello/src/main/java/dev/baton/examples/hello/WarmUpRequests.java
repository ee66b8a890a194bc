package dev.baton.examples.hello;

/**
 * How many warm-up requests hello sends ({@code HELLO_WARMUP_REQUESTS=N}), each over a new
 * loopback connection to a private port ({@link LoopbackWarmUp}).
 */
final class WarmUpRequests {
    /** More than enough to get the service compiled; a typo cannot keep a start busy for hours. */
    static final int MAX = 1_000_000;

    private WarmUpRequests() {
    }

    /**
     * {@code HELLO_WARMUP_REQUESTS}: unset or blank is 0 (no warm-up); anything but a whole number
     * from 0 to {@link #MAX} is refused with one line.
     */
    static int count(String value) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        String text = value.trim();
        if (text.length() <= 7 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int n = Integer.parseInt(text);
            if (n <= MAX) {
                return n;
            }
        }
        String shown = (text.length() > 20 ? text.substring(0, 20) + "..." : text).replaceAll("\\p{Cntrl}", "?");
        throw new IllegalArgumentException("HELLO_WARMUP_REQUESTS='" + shown + "' is not a whole number from 0 to " + MAX);
    }

}
