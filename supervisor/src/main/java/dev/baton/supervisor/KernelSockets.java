package dev.baton.supervisor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the kernel says about batond's TCP sockets, from /proc: whether a descriptor is a
 * listening socket and how many connections wait in its accept queue (for a LISTEN socket,
 * /proc/net/tcp's rx_queue column is the accept queue length).
 */
final class KernelSockets {
    /** /proc/net/tcp's state code for LISTEN. */
    static final String TCP_LISTEN = "0A";

    record TcpSocket(String state, long acceptQueue) {}

    private final Path proc;

    KernelSockets(Path proc) {
        this.proc = proc;
    }

    /** The socket inode behind one of this process's descriptors, or -1 if it is not a socket. */
    long inode(int fd) {
        try {
            String target = Files.readSymbolicLink(proc.resolve("self/fd/" + fd)).toString();
            return target.startsWith("socket:[") ? Long.parseLong(target.substring(8, target.length() - 1)) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** TCP sockets of this network namespace by inode (IPv4 and IPv6). */
    Map<Long, TcpSocket> tcpSockets() {
        Map<Long, TcpSocket> sockets = new HashMap<>();
        for (String file : List.of("net/tcp", "net/tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(proc.resolve(file));
            } catch (IOException e) {
                continue; // no IPv6 in this kernel, say
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
                String[] f = line.trim().split("\\s+");
                if (f.length < 10) {
                    continue;
                }
                String[] queues = f[4].split(":");
                try {
                    sockets.put(Long.parseLong(f[9]), new TcpSocket(f[3], Long.parseLong(queues[1], 16)));
                } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                    // a line we do not understand: skip it rather than fail a status request
                }
            }
        }
        return sockets;
    }

    /** Is this descriptor a listening TCP socket? */
    boolean isListening(int fd) {
        TcpSocket s = tcpSockets().get(inode(fd));
        return s != null && TCP_LISTEN.equals(s.state());
    }

    /** Connections waiting in each listener's accept queue, by listener name; -1 when unknown. */
    Map<String, Long> acceptQueues(List<Listener> listeners) {
        Map<Long, TcpSocket> sockets = tcpSockets();
        Map<String, Long> depth = new java.util.LinkedHashMap<>();
        for (Listener l : listeners) {
            TcpSocket s = sockets.get(inode(l.fd()));
            depth.put(l.name(), s == null ? -1 : s.acceptQueue());
        }
        return depth;
    }

    /** The kernel's TcpExt ListenOverflows and ListenDrops for this network namespace. */
    ListenCounters listenCounters() {
        return ListenCounters.read(proc.resolve("net/netstat"));
    }
}
