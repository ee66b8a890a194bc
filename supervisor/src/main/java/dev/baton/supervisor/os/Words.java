package dev.baton.supervisor.os;

import java.util.ArrayList;
import java.util.List;

/** Splits /proc lines on runs of blanks without java.util.regex, which batond otherwise never loads. */
public final class Words {
    private Words() {}

    public static List<String> of(String line) {
        List<String> words = new ArrayList<>();
        int start = -1;
        for (int i = 0; i <= line.length(); i++) {
            boolean blank = i == line.length() || blank(line.charAt(i));
            if (blank && start >= 0) {
                words.add(line.substring(start, i));
                start = -1;
            } else if (!blank && start < 0) {
                start = i;
            }
        }
        return words;
    }

    /**
     * Whether {@code c} separates words: {@link Character#isWhitespace}, with printable ASCII, all
     * of /proc's words, decided by two comparisons instead of the call (batond runs interpreted).
     */
    public static boolean blank(char c) {
        return c == ' ' || (c < ' ' || c > '~') && Character.isWhitespace(c);
    }
}
