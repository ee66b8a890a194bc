package dev.baton.supervisor.os;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import jnr.posix.CmsgHdr;
import jnr.posix.MsgHdr;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * batond's libc calls on real sockets, its own (LibcSockets) on one side and the JDK's or
 * jnr-posix's (as in child-api) on the other.
 */
class LibcNativeTest {
    final LibcNative nat = new LibcNative();
    final NativeSockets sockets = nat.sockets();
    final KernelSockets kernel = new KernelSockets(Path.of("/proc"), nat);

    @Test
    void uidIsTheProcessUid() throws IOException {
        String uidLine = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow();
        assertEquals(Integer.parseInt(Words.of(uidLine).get(1)), nat.uid());
    }

    @Test
    void peerIsTheConnectingProcess(@TempDir Path dir) throws IOException {
        Path path = dir.resolve("s.sock");
        int server = sockets.listenUnix(path, 4, false);
        int accepted = -1;
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            accepted = sockets.accept(server, false);
            Native.Peer peer = nat.peer(accepted);
            assertEquals(ProcessHandle.current().pid(), peer.pid());
            assertEquals(nat.uid(), peer.uid());
        } finally {
            closeAll(accepted, server);
        }
    }

    @Test
    void aUnixListenerAcceptsReadsAndWrites(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("s.sock");
        int server = sockets.listenUnix(path, 4, true);
        int accepted = -1;
        try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            assertTrue(closeOnExec(server), "the listener is close-on-exec");
            assertEquals(-1, sockets.accept(server, true), "nobody connected yet");
            client.connect(UnixDomainSocketAddress.of(path));
            int connection = sockets.accept(server, true);
            accepted = connection;
            assertTrue(connection >= 0);
            assertTrue(closeOnExec(connection), "so is the connection");

            ByteBuffer in = ByteBuffer.allocateDirect(64);
            assertEquals(0, sockets.receive(connection, in, false), "nothing to read yet");
            client.write(ByteBuffer.wrap("HELLO".getBytes(StandardCharsets.UTF_8)));
            int[] fds = {accepted};
            short[] events = {NativeSockets.POLLIN};
            short[] ready = new short[1];
            assertEquals(1, sockets.poll(fds, events, ready, 1, 10_000));
            assertEquals(NativeSockets.POLLIN, ready[0] & NativeSockets.POLLIN);
            assertEquals(5, sockets.receive(connection, in, true));
            assertEquals("HELLO", StandardCharsets.UTF_8.decode(in.flip()).toString());

            ByteBuffer heap = ByteBuffer.wrap("xxANSWER".getBytes(StandardCharsets.UTF_8)).position(2);
            assertEquals(6, sockets.send(connection, heap, true));
            assertFalse(heap.hasRemaining());
            sockets.shutdown(connection, NativeSockets.Shutdown.OUTPUT);
            ByteBuffer got = ByteBuffer.allocate(64);
            while (client.read(got) >= 0) {
                // until the end of stream the shutdown sent
            }
            assertEquals("ANSWER", new String(got.array(), 0, got.position(), StandardCharsets.UTF_8));

            client.close();
            assertEquals(-1, sockets.receive(connection, in.clear(), true), "end of stream");
            IOException e = assertThrows(IOException.class, () -> {
                for (int i = 0; i < 100; i++) {
                    sockets.send(connection, ByteBuffer.wrap(new byte[1024]), true);
                }
            }, "the peer has gone: EPIPE, no SIGPIPE");
            assertTrue(e.getMessage().matches("send\\(\\d+\\) failed: (Broken pipe|Connection reset by peer)"), e.getMessage());
        } finally {
            closeAll(accepted, server);
        }
        IOException inUse = assertThrows(IOException.class, () -> sockets.listenUnix(path, 4, false));
        assertEquals("bind(" + path + ") failed: Address already in use", inUse.getMessage());
        String tooLong = dir.resolve("x".repeat(120)).toString();
        IOException e = assertThrows(IOException.class, () -> sockets.listenUnix(Path.of(tooLong), 4, false));
        assertTrue(e.getMessage().startsWith("socket path too long"), e.getMessage());
    }

    @Test
    void shutdownEndsABlockedReadAndABlockedAccept(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("s.sock");
        int server = sockets.listenUnix(path, 4, false);
        int accepted = -1;
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            int connection = sockets.accept(server, false);
            accepted = connection;
            java.util.concurrent.CompletableFuture<Integer> read = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return sockets.receive(connection, ByteBuffer.allocateDirect(16), true);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(200); // blocked in recv by now, or soon: either way it must end
            sockets.shutdown(connection, NativeSockets.Shutdown.INPUT);
            assertEquals(-1, read.get(10, java.util.concurrent.TimeUnit.SECONDS), "end of stream");

            java.util.concurrent.CompletableFuture<String> accept = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return "accepted " + sockets.accept(server, false);
                } catch (IOException e) {
                    return e.getMessage();
                }
            });
            Thread.sleep(200);
            sockets.shutdown(server, NativeSockets.Shutdown.BOTH);
            assertEquals("accept4(" + server + ") failed: Invalid argument", accept.get(10, java.util.concurrent.TimeUnit.SECONDS));
        } finally {
            closeAll(accepted, server);
        }
    }

    @Test
    void pollWakesOnTheWakeupAndTimesOut() throws Exception {
        int wakeup = sockets.openWakeup();
        try {
            int[] fds = {wakeup};
            short[] events = {NativeSockets.POLLIN};
            short[] ready = new short[1];
            long start = System.nanoTime();
            assertEquals(0, sockets.poll(fds, events, ready, 1, 100), "nothing yet: the timeout");
            assertTrue(System.nanoTime() - start >= 90_000_000L, "waited its timeout");
            Thread waker = new Thread(() -> {
                try {
                    Thread.sleep(100);
                    sockets.wake(wakeup);
                    sockets.wake(wakeup); // twice: still one wakeup
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            waker.start();
            assertEquals(1, sockets.poll(fds, events, ready, 1, -1), "woken from another thread");
            assertEquals(NativeSockets.POLLIN, ready[0]);
            waker.join();
            sockets.clearWakeup(wakeup);
            assertEquals(0, sockets.poll(fds, events, ready, 1, 0), "cleared");
            sockets.clearWakeup(wakeup); // clearing a clear one does nothing
        } finally {
            nat.close(wakeup);
        }
    }

    @Test
    void tcpListenersOnPortZeroOfIpv4AndIpv6() throws IOException {
        for (String host : List.of("127.0.0.1", "::1")) {
            int fd = sockets.listenTcp(new InetSocketAddress(host, 0), 8);
            try {
                InetSocketAddress bound = nat.localAddress(fd);
                assertEquals(InetAddress.getByName(host), bound.getAddress(), host);
                assertTrue(bound.getPort() > 0, "a port was picked: " + bound);
                assertTrue(closeOnExec(fd), "close-on-exec");
                assertTrue(kernel.isListening(fd), "listening");
                try (Socket client = new Socket(bound.getAddress(), bound.getPort())) {
                    assertTrue(client.isConnected());
                }
            } finally {
                nat.close(fd);
            }
        }
    }

    @Test
    void theWildcardIsDualStackAsTheJdkBindsIt() throws IOException {
        for (String host : List.of("0.0.0.0", "::")) {
            int fd = sockets.listenTcp(new InetSocketAddress(host, 0), 8);
            try {
                InetSocketAddress bound = nat.localAddress(fd);
                // What ServerSocketChannel.bind made of either: [::], IPV6_V6ONLY off.
                assertEquals(InetAddress.getByName("::"), bound.getAddress(), host);
                for (String client : List.of("127.0.0.1", "::1")) {
                    try (Socket c = new Socket(client, bound.getPort())) {
                        assertTrue(c.isConnected(), client + " reaches " + host);
                    }
                }
            } finally {
                nat.close(fd);
            }
        }
    }

    @Test
    void aPortInUseIsOneLine() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", taken.getLocalPort());
            IOException e = assertThrows(IOException.class, () -> sockets.listenTcp(address, 8));
            assertEquals("bind(127.0.0.1:" + taken.getLocalPort() + ") failed: Address already in use", e.getMessage());
        }
    }

    @Test
    void closeOnExecIsSet() throws IOException {
        // jnr-posix opens without O_CLOEXEC, as a descriptor systemd passes comes.
        POSIX posix = POSIXFactory.getNativePOSIX();
        int fd = posix.open("/dev/null", 0, 0);
        assertTrue(fd >= 0);
        try {
            assertFalse(closeOnExec(fd));
            nat.setCloseOnExec(fd);
            assertTrue(closeOnExec(fd));
        } finally {
            nat.close(fd);
        }
    }

    @Test
    void descriptorsRideOnTheFirstByteOfALargeMessage(@TempDir Path dir) throws Exception {
        byte[] payload = new byte[300_000]; // far more than one sendmsg moves: the rest goes in later calls
        new Random(7).nextBytes(payload);
        Path path = dir.resolve("s.sock");
        int server = sockets.listenUnix(path, 4, false);
        int a = sockets.listenTcp(new InetSocketAddress("127.0.0.1", 0), 1);
        int b = sockets.listenTcp(new InetSocketAddress("127.0.0.1", 0), 1);
        int accepted = -1;
        // The receiving side as child-api's: jnr-unixsocket's channel, its descriptor, jnr-posix's recvmsg.
        try (UnixSocketChannel client = UnixSocketChannel.open(new UnixSocketAddress(path.toString()))) {
            int connection = sockets.accept(server, false);
            accepted = connection;
            int[] fds = {a, b};
            Thread sender = new Thread(() -> {
                try {
                    nat.sendWithFds(connection, payload, fds);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            sender.start();
            POSIX posix = POSIXFactory.getNativePOSIX();
            ByteBuffer received = ByteBuffer.allocateDirect(payload.length);
            List<Integer> got = new ArrayList<>();
            while (received.hasRemaining()) {
                MsgHdr msg = posix.allocateMsgHdr();
                msg.setIov(new ByteBuffer[] {received.slice()});
                msg.allocateControl(Integer.BYTES * 4);
                int n = posix.recvmsg(client.getFD(), msg, 0);
                assertTrue(n > 0, "recvmsg returned " + n);
                for (CmsgHdr control : msg.getControls()) {
                    ByteBuffer data = control.getData().order(ByteOrder.nativeOrder());
                    while (data.remaining() >= Integer.BYTES) {
                        got.add(data.getInt());
                    }
                }
                received.position(received.position() + n);
            }
            sender.join();
            byte[] bytes = new byte[payload.length];
            received.flip().get(bytes);
            assertArrayEquals(payload, bytes);
            assertEquals(2, got.size(), "each descriptor arrives once: " + got);
            for (int i = 0; i < 2; i++) {
                // A passed descriptor is a new number for the same socket.
                assertEquals(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fds[i])),
                        Files.readSymbolicLink(Path.of("/proc/self/fd/" + got.get(i))));
                nat.close(got.get(i));
            }
        } finally {
            closeAll(accepted, server, a, b);
        }
    }

    @Test
    void datagramsReachPathAndAbstractSockets(@TempDir Path dir) throws IOException {
        String abstractName = "baton-test-" + ProcessHandle.current().pid();
        for (String address : List.of(dir.resolve("notify").toString(), "@" + abstractName)) {
            try (UnixDatagramChannel receiver = UnixDatagramChannel.open()) {
                receiver.bind(new UnixSocketAddress(address.startsWith("@") ? "\0" + abstractName : address));
                nat.sendDatagram(address, "READY=1\nSTATUS=gen 1".getBytes(StandardCharsets.UTF_8));
                ByteBuffer got = ByteBuffer.allocate(256);
                receiver.receive(got);
                assertEquals("READY=1\nSTATUS=gen 1", new String(got.array(), 0, got.position(), StandardCharsets.UTF_8));
            }
        }
        IOException e = assertThrows(IOException.class,
                () -> nat.sendDatagram(dir.resolve("nobody").toString(), new byte[] {1}));
        assertTrue(e.getMessage().startsWith("sendto(") && e.getMessage().endsWith("failed: No such file or directory"),
                e.getMessage());
    }

    @Test
    void aDatagramCarriesDescriptors(@TempDir Path dir) throws IOException {
        // sd_notify's FDSTORE=1: the datagram and the descriptor in one sendmsg.
        Path pipe = dir.resolve("stored");
        Files.writeString(pipe, "x");
        try (UnixDatagramChannel receiver = UnixDatagramChannel.open();
             java.io.FileInputStream file = new java.io.FileInputStream(pipe.toFile())) {
            receiver.bind(new UnixSocketAddress(dir.resolve("notify").toString()));
            int fd = -1;
            for (String link : new java.io.File("/proc/self/fd").list()) {
                try {
                    if (Files.readSymbolicLink(Path.of("/proc/self/fd/" + link)).equals(pipe)) {
                        fd = Integer.parseInt(link);
                    }
                } catch (IOException gone) {
                    // the directory's own descriptor
                }
            }
            assertTrue(fd >= 0);
            nat.sendDatagram(dir.resolve("notify").toString(), "FDSTORE=1\nFDNAME=http".getBytes(StandardCharsets.UTF_8),
                    new int[] {fd});
            POSIX posix = POSIXFactory.getNativePOSIX();
            ByteBuffer received = ByteBuffer.allocateDirect(256);
            MsgHdr msg = posix.allocateMsgHdr();
            msg.setIov(new ByteBuffer[] {received});
            msg.allocateControl(Integer.BYTES);
            int n = posix.recvmsg(receiver.getFD(), msg, 0);
            byte[] bytes = new byte[n];
            received.get(bytes);
            assertEquals("FDSTORE=1\nFDNAME=http", new String(bytes, StandardCharsets.UTF_8));
            List<Integer> got = new ArrayList<>();
            for (CmsgHdr control : msg.getControls()) {
                ByteBuffer data = control.getData().order(ByteOrder.nativeOrder());
                while (data.remaining() >= Integer.BYTES) {
                    got.add(data.getInt());
                }
            }
            assertEquals(1, got.size(), "one descriptor: " + got);
            assertEquals(pipe, Files.readSymbolicLink(Path.of("/proc/self/fd/" + got.get(0))));
            nat.close(got.get(0));
        }
    }

    @Test
    void failuresNameTheCallAndTheError() {
        IOException e = assertThrows(IOException.class, () -> nat.sendWithFds(987_654, new byte[] {1}, new int[0]));
        assertEquals("sendmsg(987654) failed: Bad file descriptor", e.getMessage());
        assertThrows(IOException.class, () -> nat.peer(987_654));
        assertFalse(nat.reap(Integer.MAX_VALUE - 1), "not our child");
        assertTrue(nat.tcpInfo(987_654).isEmpty());
    }

    /** fdinfo's flags are octal; O_CLOEXEC is 02000000. */
    private static boolean closeOnExec(int fd) throws IOException {
        String flags = Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd)).stream()
                .filter(l -> l.startsWith("flags:")).findFirst().orElseThrow();
        return (Long.parseLong(Words.of(flags).get(1), 8) & 02000000) != 0;
    }

    private void closeAll(int... fds) {
        for (int fd : fds) {
            if (fd >= 0) {
                nat.close(fd);
            }
        }
    }
}
