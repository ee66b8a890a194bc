package dev.baton.supervisor.lifecycle;

import dev.baton.supervisor.os.Words;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The kernel's count of connections it could not queue on any listener of this network
 * namespace (TcpExt ListenOverflows: accept queue full; ListenDrops: dropped for any reason,
 * overflows included). Sampled before and after a handoff, an unchanged pair shows that no
 * connection was dropped at the listen queue. -1 when /proc/net/netstat cannot be read.
 */
public record ListenCounters(long overflows, long drops) {
    public static final ListenCounters UNKNOWN = new ListenCounters(-1, -1);

    public static ListenCounters read(Path netstat) {
        List<String> lines;
        try {
            lines = Files.readAllLines(netstat);
        } catch (IOException e) {
            return UNKNOWN;
        }
        // Pairs of lines: "TcpExt: Name1 Name2 ..." then "TcpExt: value1 value2 ...".
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).startsWith("TcpExt:") && lines.get(i + 1).startsWith("TcpExt:")) {
                String[] names = Words.of(lines.get(i)).toArray(new String[0]);
                String[] values = Words.of(lines.get(i + 1)).toArray(new String[0]);
                return new ListenCounters(value(names, values, "ListenOverflows"), value(names, values, "ListenDrops"));
            }
        }
        return UNKNOWN;
    }

    private static long value(String[] names, String[] values, String name) {
        for (int i = 1; i < names.length && i < values.length; i++) {
            if (names[i].equals(name)) {
                try {
                    return Long.parseLong(values[i]);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** How many more since {@code before}; -1 when either sample is unknown. */
    public ListenCounters since(ListenCounters before) {
        if (overflows < 0 || before.overflows < 0) {
            return UNKNOWN;
        }
        return new ListenCounters(overflows - before.overflows, drops - before.drops);
    }
}
