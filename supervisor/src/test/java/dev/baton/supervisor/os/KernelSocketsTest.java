package dev.baton.supervisor.os;

import dev.baton.supervisor.cli.ListenSpec;

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
        Listener bound = Listeners.bind(new ListenSpec("http", new InetSocketAddress("127.0.0.1", 0)), nat);
        List<Socket> clients = new ArrayList<>();
        try {
            Listener listener = bound;
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
        Listener bound = Listeners.bind(new ListenSpec("http", new InetSocketAddress("127.0.0.1", 0)), nat);
        try (java.nio.channels.SocketChannel client = java.nio.channels.SocketChannel.open(bound.address())) {
            int connected = ChannelFd.of(client);
            Native.TcpInfo info = nat.tcpInfo(connected).orElseThrow(() -> new AssertionError("a TCP socket has TCP_INFO"));
            assertEquals(1, info.state(), "TCP_ESTABLISHED");
            assertFalse(info.listening(), "a connected socket is no listener");
            assertFalse(kernel.isListening(connected));
            assertTrue(kernel.isListening(bound.fd()), "while the listener is one");
            assertFalse(nat.tcpInfo(0).isPresent() && nat.tcpInfo(0).get().listening(), "stdin is no listener");
            assertEquals(-1L, kernel.acceptQueues(List.of(new Listener("file", bound.address(), 0))).get("file"));
        } finally {
            nat.close(bound.fd());
        }
    }

    @Test
    void listenCountersParseNetstat(@TempDir Path dir) throws IOException {
        Path netstat = dir.resolve("netstat");
        Files.writeString(netstat, "TcpExt: SyncookiesSent ListenOverflows ListenDrops TCPHPHits\n"
                + "TcpExt: 0 12 15 99\nIpExt: InNoRoutes\nIpExt: 0\n");
        assertEquals(new ListenCounters(12, 15), ListenCounters.read(netstat));
        assertEquals(new ListenCounters(3, 4), new ListenCounters(15, 19).since(new ListenCounters(12, 15)));
        assertEquals(ListenCounters.UNKNOWN, ListenCounters.read(dir.resolve("missing")));
        assertTrue(kernel.listenCounters().overflows() >= 0, "this machine's own counters are readable");
    }
}
