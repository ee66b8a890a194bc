package dev.baton.supervisor.os;

import dev.baton.supervisor.lifecycle.ListenCounters;

import dev.baton.supervisor.lifecycle.Listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TCP_INFO and /proc/net/netstat on real sockets: what status, evidence and metrics report. */
public class KernelSocketsTest {
    final LibcNative nat = new LibcNative();
    final KernelSockets kernel = new KernelSockets(Path.of("/proc"), nat);

    @Test
    void acceptQueueCountsConnectionsNobodyAcceptedYet() throws IOException {
        Bound bound = listen();
        List<Socket> clients = new ArrayList<>();
        try {
            Listener listener = new Listener("http", bound.address(), bound.fd());
            assertTrue(kernel.isListening(bound.fd()));
            assertEquals(Map.of("http", 0L), kernel.acceptQueues(List.of(listener)));
            for (int i = 0; i < 3; i++) {
                clients.add(new Socket(bound.address().getAddress(), bound.address().getPort()));
            }
            // The handshake completes in the kernel: the three wait in the accept queue at once.
            assertEquals(Map.of("http", 3L), kernel.acceptQueues(List.of(listener)));
            assertTrue(nat.tcpInfo(bound.fd()).orElseThrow().backlog() > 0);
        } finally {
            for (Socket c : clients) {
                c.close();
            }
            nat.close(bound.fd());
        }
    }

    @Test
    void aConnectedSocketOrAFileIsNotAListener() throws IOException {
        Bound bound = listen();
        int connected = -1;
        try (java.nio.channels.SocketChannel client = java.nio.channels.SocketChannel.open(bound.address())) {
            connected = nat.sockets().accept(bound.fd(), false); // the server's end: as TCP as the client's
            Native.TcpInfo info = nat.tcpInfo(connected).orElseThrow(() -> new AssertionError("a TCP socket has TCP_INFO"));
            assertEquals(1, info.state(), "TCP_ESTABLISHED");
            assertFalse(info.listening(), "a connected socket is no listener");
            assertFalse(kernel.isListening(connected));
            assertTrue(kernel.isListening(bound.fd()), "while the listener is one");
            assertFalse(nat.tcpInfo(0).isPresent() && nat.tcpInfo(0).get().listening(), "stdin is no listener");
            assertEquals(-1L, kernel.acceptQueues(List.of(new Listener("file", bound.address(), 0))).get("file"));
        } finally {
            if (connected >= 0) {
                nat.close(connected);
            }
            nat.close(bound.fd());
        }
    }

    private record Bound(int fd, InetSocketAddress address) {}

    /** A listener on a free port of 127.0.0.1, as batond binds one. */
    private Bound listen() throws IOException {
        int fd = nat.sockets().listenTcp(new InetSocketAddress("127.0.0.1", 0), 16);
        return new Bound(fd, nat.localAddress(fd));
    }

    @Test
    void listenCountersParseNetstat(@TempDir Path dir) throws IOException {
        Path netstat = dir.resolve("netstat");
        Files.writeString(netstat, "TcpExt: SyncookiesSent ListenOverflows ListenDrops TCPHPHits\n"
                + "TcpExt: 0 12 15 99\nIpExt: InNoRoutes\nIpExt: 0\n");
        assertEquals(new ListenCounters(12, 15), NetStat.read(netstat));
        assertEquals(new ListenCounters(3, 4), new ListenCounters(15, 19).since(new ListenCounters(12, 15)));
        assertEquals(ListenCounters.UNKNOWN, NetStat.read(dir.resolve("missing")));
        assertTrue(kernel.listenCounters().overflows() >= 0, "this machine's own counters are readable");
    }

    @Test
    void netstatIsReadAsWordsWhateverTheBlanks(@TempDir Path dir) throws IOException {
        Path netstat = dir.resolve("netstat");
        Files.writeString(netstat, "IpExt: InNoRoutes\nIpExt: 0\nTcpExt: Other\nMPTcpExt: X\n"
                + "TcpExt:  SyncookiesSent\tListenOverflows   ListenDrops\n"
                + "TcpExt: 0\t\t12  15\n");
        assertEquals(new ListenCounters(12, 15), NetStat.read(netstat));
        Files.writeString(netstat, "TcpExt: ListenOverflowsX ListenOverflows ListenDrops\nTcpExt: 1 x");
        assertEquals(new ListenCounters(-1, -1), NetStat.read(netstat), "a value that is not a number, one missing");
        Files.writeString(netstat, "TcpExt: ListenDrops ListenOverflows\nTcpExt: 8 9\n");
        assertEquals(new ListenCounters(9, 8), NetStat.read(netstat), "by name, not by place; no newline at the end");
        Files.writeString(netstat, "TcpExt: ListenOverflows ListenDrops\nIpExt: 1 2\n");
        assertEquals(ListenCounters.UNKNOWN, NetStat.read(netstat));
    }
}
