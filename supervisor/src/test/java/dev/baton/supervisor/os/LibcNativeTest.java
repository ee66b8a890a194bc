package dev.baton.supervisor.os;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** batond's libc calls on real sockets; the receiving side is jnr-posix, as in child-api. */
public class LibcNativeTest {
    final LibcNative nat = new LibcNative();

    @Test
    void uidIsTheProcessUid() throws IOException {
        String uidLine = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow();
        assertEquals(Integer.parseInt(Words.of(uidLine).get(1)), nat.uid());
    }

    @Test
    void peerIsTheConnectingProcess(@TempDir Path dir) throws IOException {
        try (ServerSocketChannel server = unixServer(dir);
             SocketChannel client = SocketChannel.open(server.getLocalAddress());
             SocketChannel accepted = server.accept()) {
            Native.Peer peer = nat.peer(ChannelFd.of(accepted));
            assertEquals(ProcessHandle.current().pid(), peer.pid());
            assertEquals(nat.uid(), peer.uid());
        }
    }

    @Test
    void localAddressOfBoundSockets() throws IOException {
        for (String host : List.of("127.0.0.1", "::1")) {
            try (ServerSocketChannel tcp = ServerSocketChannel.open()) {
                tcp.bind(new InetSocketAddress(host, 0));
                assertEquals(tcp.getLocalAddress(), nat.localAddress(ChannelFd.of(tcp)), host);
            }
        }
    }

    @Test
    void closeOnExecIsSet() throws IOException {
        try (ServerSocketChannel tcp = ServerSocketChannel.open()) {
            int fd = ChannelFd.of(tcp);
            nat.setCloseOnExec(fd);
            // fdinfo's flags are octal; O_CLOEXEC is 02000000.
            String flags = Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd)).stream()
                    .filter(l -> l.startsWith("flags:")).findFirst().orElseThrow();
            assertTrue((Long.parseLong(Words.of(flags).get(1), 8) & 02000000) != 0, flags);
        }
    }

    @Test
    void descriptorsRideOnTheFirstByteOfALargeMessage(@TempDir Path dir) throws Exception {
        byte[] payload = new byte[300_000]; // far more than one sendmsg moves: the rest goes in later calls
        new Random(7).nextBytes(payload);
        try (ServerSocketChannel server = unixServer(dir);
             SocketChannel client = SocketChannel.open(server.getLocalAddress());
             SocketChannel accepted = server.accept();
             ServerSocketChannel a = ServerSocketChannel.open();
             ServerSocketChannel b = ServerSocketChannel.open()) {
            a.bind(new InetSocketAddress("127.0.0.1", 0));
            b.bind(new InetSocketAddress("127.0.0.1", 0));
            int[] fds = {ChannelFd.of(a), ChannelFd.of(b)};
            Thread sender = new Thread(() -> {
                try {
                    nat.sendWithFds(ChannelFd.of(accepted), payload, fds);
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
                int n = posix.recvmsg(ChannelFd.of(client), msg, 0);
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
    void failuresNameTheCallAndTheError() {
        IOException e = assertThrows(IOException.class, () -> nat.sendWithFds(987_654, new byte[] {1}, new int[0]));
        assertEquals("sendmsg(987654) failed: Bad file descriptor", e.getMessage());
        assertThrows(IOException.class, () -> nat.peer(987_654));
        assertFalse(nat.reap(Integer.MAX_VALUE - 1), "not our child");
        assertTrue(nat.tcpInfo(987_654).isEmpty());
    }

    private static ServerSocketChannel unixServer(Path dir) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(dir.resolve("s.sock")));
        return server;
    }
}
