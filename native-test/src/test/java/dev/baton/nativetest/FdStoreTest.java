package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * This test is systemd's file descriptor store: batond, with NOTIFY_SOCKET, sends each listener it
 * bound as {@code FDSTORE=1} {@code FDNAME=<name>} with the socket attached. When batond and its
 * child are then killed with SIGKILL, the socket the store holds still takes connections (they
 * wait in its accept queue for the next batond, which gets it back in LISTEN_FDS and adopts it by
 * name: SocketActivationTest).
 */
class FdStoreTest {
    private static final Duration EVENT = Duration.ofSeconds(30);

    @Test
    @Timeout(120)
    void boundListenersGoToTheStoreAndOutliveBatond() throws Exception {
        FaultFile faults = FaultFile.create("FdStoreTest", "ok");
        try (NotifyListener systemd = NotifyListener.abstractSocket()) {
            ProcessBuilder command = faults.batond(List.of(
                    "--listen", "http=127.0.0.1:0", "--listen", "127.0.0.1:0", "--ready-timeout", "20s"));
            command.environment().put("NOTIFY_SOCKET", systemd.notifySocket());
            List<Long> group = new ArrayList<>();
            try (BatondProcess batond = BatondProcess.start("FdStoreTest", command)) {
                int port = batond.port();
                batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);
                int ready = systemd.await(0, m -> m.startsWith("READY=1"), EVENT);
                List<NotifyListener.Message> stored = systemd.messages().subList(0, ready).stream()
                        .filter(m -> m.text().startsWith("FDSTORE=1")).toList();
                assertEquals(1, stored.size(), "the named listener only, before READY=1: " + systemd.messages());
                assertEquals("FDSTORE=1\nFDNAME=http", stored.get(0).text());
                assertEquals(1, stored.get(0).fds().size(), "one descriptor attached: " + stored.get(0));
                assertEquals(1, batond.countLines("listener 127\\.0\\.0\\.1:\\d+ not put in systemd's file descriptor store:"
                        + " FDNAME= allows no ':' in a name; give it one with --listen NAME=HOST:PORT"));
                batond.awaitLine("listeners http put in systemd's file descriptor store", Duration.ZERO);
                // The descriptor systemd got is batond's listening socket itself (same inode).
                String socket = Files.readSymbolicLink(Path.of("/proc/self/fd/" + stored.get(0).fds().get(0))).toString();
                assertTrue(socket.startsWith("socket:["), socket);
                assertTrue(holds(batond.pid(), socket), "batond holds " + socket);

                group.add(batond.pid());
                group.addAll(batond.livingChildren());
                for (long pid : group) {
                    BatondProcess.kill("KILL", pid);
                }
                batond.waitFor(EVENT);
                for (long pid : group) {
                    ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
                }
                // Nobody of baton's is left; the store's socket still queues a connection, not refused.
                try (Socket waiting = new Socket()) {
                    waiting.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                    assertTrue(waiting.isConnected());
                }
            }
        }
    }

    private static boolean holds(long pid, String socket) throws IOException {
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.anyMatch(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().equals(socket);
                } catch (IOException gone) {
                    return false;
                }
            });
        }
    }
}
