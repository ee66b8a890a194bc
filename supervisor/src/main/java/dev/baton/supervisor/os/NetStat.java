package dev.baton.supervisor.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.baton.supervisor.lifecycle.ListenCounters;

/** The kernel's TcpExt ListenOverflows and ListenDrops, from /proc/net/netstat. */
public final class NetStat {
    private NetStat() {}

    /** The counters now; {@link ListenCounters#UNKNOWN} when the file cannot be read or lacks them. */
    public static ListenCounters read(Path netstat) {
        List<String> lines;
        try {
            lines = Files.readAllLines(netstat);
        } catch (IOException e) {
            return ListenCounters.UNKNOWN;
        }
        // Pairs of lines: "TcpExt: Name1 Name2 ..." then "TcpExt: value1 value2 ...".
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).startsWith("TcpExt:") && lines.get(i + 1).startsWith("TcpExt:")) {
                String[] names = Words.of(lines.get(i)).toArray(new String[0]);
                String[] values = Words.of(lines.get(i + 1)).toArray(new String[0]);
                return new ListenCounters(value(names, values, "ListenOverflows"), value(names, values, "ListenDrops"));
            }
        }
        return ListenCounters.UNKNOWN;
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
}
