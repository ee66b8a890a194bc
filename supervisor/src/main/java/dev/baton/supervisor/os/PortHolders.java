package dev.baton.supervisor.os;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Who holds a TCP port batond could not bind (EADDRINUSE): the listening sockets on that port in
 * {@code /proc/net/tcp} and {@code tcp6} (their inodes), then the processes with a descriptor on
 * one of them ({@code /proc/PID/fd/* -> socket:[INODE]}): the suspects (the live generations'
 * pids) first, every process batond may look into when none of them does. Slow on a busy host
 * (tens of thousands of sockets): called off the loop, once, when a bind has failed.
 */
public final class PortHolders {
    /** The kernel's TCP_LISTEN, as /proc/net/tcp writes the st column. */
    private static final String LISTEN = "0A";
    /** At most this many holders are named. */
    static final int MAX_SHOWN = 5;

    private PortHolders() {}

    /** "pid 123 (java), pid 456 (sleep)", or empty when none could be found. */
    public static String describe(Path proc, int port, Set<Long> suspects) {
        Set<String> sockets = listeningInodes(proc, port);
        if (sockets.isEmpty()) {
            return "";
        }
        List<String> holders = new ArrayList<>();
        for (long suspect : new java.util.TreeSet<>(suspects)) {
            Path pid = proc.resolve(Long.toString(suspect));
            if (holds(pid.resolve("fd"), sockets) && holders.size() < MAX_SHOWN) {
                holders.add("pid " + suspect + " (" + command(pid) + ")");
            }
        }
        if (holders.isEmpty()) {
            try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, "[0-9]*")) {
                for (Path pid : pids) {
                    if (holds(pid.resolve("fd"), sockets)) {
                        holders.add("pid " + pid.getFileName() + " (" + command(pid) + ")");
                        if (holders.size() == MAX_SHOWN) {
                            break;
                        }
                    }
                }
            } catch (IOException e) {
                // /proc unreadable: what the suspects told is all
            }
        }
        return String.join(", ", holders);
    }

    static Set<String> listeningInodes(Path proc, int port) {
        Set<String> inodes = new HashSet<>();
        String hexPort = String.format(Locale.ROOT, "%04X", port);
        for (String table : List.of("net/tcp", "net/tcp6")) {
            try {
                for (String line : Files.readAllLines(proc.resolve(table))) {
                    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 9 && f[1].endsWith(":" + hexPort) && f[3].equals(LISTEN)) {
                        inodes.add("socket:[" + f[9] + "]");
                    }
                }
            } catch (IOException | RuntimeException e) {
                // no IPv6, or not readable: the other table may still tell
            }
        }
        return inodes;
    }

    private static boolean holds(Path fds, Set<String> sockets) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(fds)) {
            for (Path fd : entries) {
                try {
                    if (sockets.contains(Files.readSymbolicLink(fd).toString())) {
                        return true;
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            return false; // another user's process, or gone
        }
        return false;
    }

    private static String command(Path pid) {
        try {
            return Files.readString(pid.resolve("comm")).trim();
        } catch (IOException e) {
            return "?";
        }
    }
}
