package dev.baton.supervisor.os;

import dev.baton.supervisor.lifecycle.ListenCounters;
import dev.baton.supervisor.lifecycle.Listener;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the kernel says about batond's listening sockets: whether a descriptor is a listening
 * TCP socket, how many connections wait in its accept queue (TCP_INFO, one system call per
 * listener, cheap enough for every status request and scrape), and the namespace's
 * listen-queue drop counters (/proc/net/netstat).
 */
public final class KernelSockets {
    private final Path proc;
    private final Native nat;

    public KernelSockets(Path proc, Native nat) {
        this.proc = proc;
        this.nat = nat;
    }

    /** Is this descriptor a listening TCP socket? */
    public boolean isListening(int fd) {
        return nat.tcpInfo(fd).map(Native.TcpInfo::listening).orElse(false);
    }

    /** Connections waiting in each listener's accept queue, by listener name; -1 when unknown. */
    public Map<String, Long> acceptQueues(List<Listener> listeners) {
        Map<String, Long> depth = new LinkedHashMap<>();
        for (Listener l : listeners) {
            depth.put(l.name(), nat.tcpInfo(l.fd()).map(Native.TcpInfo::acceptQueue).orElse(-1L));
        }
        return depth;
    }

    /** The kernel's TcpExt ListenOverflows and ListenDrops for this network namespace. */
    public ListenCounters listenCounters() {
        return NetStat.read(proc.resolve("net/netstat"));
    }
}
