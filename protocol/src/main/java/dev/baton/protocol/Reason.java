package dev.baton.protocol;

/**
 * A frame's {@link Keys#REASON}: one printable line of at most {@link #MAX} characters, as the
 * child sends it and as batond logs it (a frame's value ends at a newline; a log line is not a story).
 */
public final class Reason {
    /** The longest reason kept; a longer one is cut and ends in "...". */
    public static final int MAX = 200;

    private Reason() {}

    /** {@code reason} stripped, each control character a space, cut at {@link #MAX}; "no reason given" for none. */
    public static String oneLine(String reason) {
        if (reason == null || reason.isBlank()) {
            return "no reason given";
        }
        StringBuilder b = new StringBuilder();
        for (char c : reason.strip().toCharArray()) {
            if (b.length() >= MAX) {
                return b + "...";
            }
            b.append(c < 0x20 || c == 0x7f ? ' ' : c);
        }
        return b.toString();
    }
}
