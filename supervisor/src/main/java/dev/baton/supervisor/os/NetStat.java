package dev.baton.supervisor.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.baton.supervisor.lifecycle.ListenCounters;

/**
 * The kernel's TcpExt ListenOverflows and ListenDrops, from /proc/net/netstat. Read at every
 * reload's start and end, in the interpreter: the file is taken as bytes and only the words up to
 * the two counters are looked at (about 25 of the TcpExt lines' 120), not the whole file decoded
 * into lines and every word split out, which cost 2-3 ms of batond's CPU as the old generation exits.
 */
public final class NetStat {
    private static final String TCP_EXT = "TcpExt:";

    private NetStat() {}

    /** The counters now; {@link ListenCounters#UNKNOWN} when the file cannot be read or lacks them. */
    public static ListenCounters read(Path netstat) {
        String text;
        try {
            text = new String(Files.readAllBytes(netstat), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return ListenCounters.UNKNOWN;
        }
        // Pairs of lines: "TcpExt: Name1 Name2 ..." then "TcpExt: value1 value2 ...".
        for (int line = 0; line < text.length(); line = lineAfter(text, line)) {
            int next = lineAfter(text, line);
            if (text.startsWith(TCP_EXT, line) && text.startsWith(TCP_EXT, next)) {
                return new ListenCounters(value(text, line, next, "ListenOverflows"), value(text, line, next, "ListenDrops"));
            }
        }
        return ListenCounters.UNKNOWN;
    }

    /** The value under {@code name}: the word of the values line at the name's place in the names line; -1 if none. */
    private static long value(String text, int names, int values, String name) {
        int value = values;
        for (int word = nextWord(text, names); word >= 0; word = nextWord(text, word)) {
            value = nextWord(text, value);
            if (value < 0) {
                return -1;
            }
            if (text.startsWith(name, word) && wordEnd(text, word) == word + name.length()) {
                try {
                    return Long.parseLong(text, value, wordEnd(text, value), 10);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    private static int lineAfter(String text, int line) {
        int end = text.indexOf('\n', line);
        return end < 0 ? text.length() : end + 1;
    }

    /** Where the word after the one at {@code at} starts, or -1 when the line ends first. */
    private static int nextWord(String text, int at) {
        int i = wordEnd(text, at);
        while (i < text.length() && text.charAt(i) != '\n' && Words.blank(text.charAt(i))) {
            i++;
        }
        return i < text.length() && text.charAt(i) != '\n' ? i : -1;
    }

    private static int wordEnd(String text, int at) {
        int i = at;
        while (i < text.length() && !Words.blank(text.charAt(i))) {
            i++;
        }
        return i;
    }
}
