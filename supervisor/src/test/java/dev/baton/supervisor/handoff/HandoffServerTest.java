package dev.baton.supervisor.handoff;

import dev.baton.supervisor.lifecycle.Event;
import dev.baton.supervisor.os.LibcNative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.baton.protocol.Frame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The handoff socket on real Unix sockets, with a short HELLO timeout and a small cap. */
@Timeout(60)
public class HandoffServerTest {
    private static final Duration HELLO = Duration.ofMillis(300);
    private static final int MAX_WAITING = 4;

    @TempDir
    Path dir;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final List<SocketChannel> clients = new ArrayList<>();
    private HandoffServer handoff;

    @BeforeEach
    void open() throws IOException {
        handoff = HandoffServer.open(dir, new LibcNative(), events::add, HELLO, MAX_WAITING);
    }

    @AfterEach
    void close() throws IOException {
        for (SocketChannel c : clients) {
            c.close();
        }
        handoff.close();
        assertTrue(Files.notExists(handoff.socketPath().getParent()), "the handoff directory is removed");
    }

    private SocketChannel connect() throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        clients.add(c);
        c.connect(UnixDomainSocketAddress.of(handoff.socketPath()));
        return c;
    }

    private <T extends Event> T next(Class<T> type) throws InterruptedException {
        Event e = events.poll(10, TimeUnit.SECONDS);
        assertNotNull(e, "no event within 10 s, expected " + type.getSimpleName());
        return assertInstanceOf(type, e);
    }

    private static void write(SocketChannel c, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    /** Reads until end of stream; the bytes received. */
    private static int readToEnd(SocketChannel c) throws IOException {
        int total = 0;
        ByteBuffer b = ByteBuffer.allocate(4096);
        for (int n; (n = c.read(b.clear())) >= 0; ) {
            total += n;
        }
        return total;
    }

    @Test
    void onlyAnAskedForListenersFrameIsAnAnswer() throws Exception {
        SocketChannel child = connect();
        Event.HandoffConnected connected = next(Event.HandoffConnected.class);
        write(child, Frame.of("BATON", "1", "TOKEN", "t", "PID", "1", "RESUME", "1", "GENERATION", "4").encode());
        Event.ChildHello hello = next(Event.ChildHello.class);
        assertTrue(hello.resume());
        assertEquals(4, hello.generation());

        // Not asked: a LISTENERS frame from a child is just an unknown frame.
        write(child, Frame.of("LISTENERS", "http", "ADDRESSES", "127.0.0.1:8080").encode());
        next(Event.ChildSentUnknown.class);

        handoff.requestListeners(connected.connection());
        Frame asked = Frame.of("SEND_LISTENERS", "1");
        ByteBuffer in = ByteBuffer.allocate(asked.encode().length);
        while (in.hasRemaining()) {
            assertTrue(child.read(in) > 0);
        }
        assertEquals(ByteBuffer.wrap(asked.encode()), in.flip());
        write(child, Frame.of("LISTENERS", "", "ADDRESSES", "").encode()); // it closed them: none, no descriptors
        Event.ListenersReturned answer = next(Event.ListenersReturned.class);
        assertEquals(connected.connection(), answer.connection());
        assertEquals(List.of(), answer.names());
        assertEquals(0, answer.fds().length);

        write(child, Frame.of("DRAINED", "1", "SERVED", "3", "EXIT", "0").encode());
        assertEquals(0, next(Event.ChildDrained.class).exitCode());
    }

    @Test
    void helloInPiecesThenListenersWithADescriptor() throws Exception {
        SocketChannel child = connect();
        Event.HandoffConnected connected = next(Event.HandoffConnected.class);
        assertEquals(ProcessHandle.current().pid(), connected.peerPid());
        byte[] hello = Frame.of("BATON", "1", "TOKEN", "t", "PID", "1").encode();
        for (byte b : hello) {
            write(child, new byte[] {b});
        }
        Event.ChildHello frame = next(Event.ChildHello.class);
        assertEquals(connected.connection(), frame.connection());
        assertEquals("t", frame.token());
        assertEquals(1, frame.pid());

        // Past the HELLO timeout, the connection stays: it said HELLO.
        Thread.sleep(HELLO.toMillis() * 2);
        assertTrue(events.isEmpty(), () -> "unexpected " + events);

        LibcNative nat = new LibcNative();
        int listener = nat.sockets().listenTcp(new java.net.InetSocketAddress("127.0.0.1", 0), 1);
        try {
            Frame listeners = Frame.of("GENERATION", "1", "LISTENERS", "http");
            handoff.send(connected.connection(), listeners, new int[] {listener});
            ByteBuffer in = ByteBuffer.allocate(listeners.encode().length);
            while (in.hasRemaining()) {
                assertTrue(child.read(in) > 0);
            }
            assertEquals(ByteBuffer.wrap(listeners.encode()), in.flip());
        } finally {
            nat.close(listener);
        }

        handoff.close(connected.connection());
        assertEquals(0, readToEnd(child));
        assertEquals(new Event.HandoffClosed(connected.connection(), "closed by batond"), next(Event.HandoffClosed.class));
        IOException e = assertThrows(IOException.class,
                () -> handoff.send(connected.connection(), Frame.of("A", "1"), new int[0]));
        assertTrue(e.getMessage().contains("is closed"), e.getMessage());
        handoff.close(connected.connection()); // idempotent
        assertTrue(events.poll(200, TimeUnit.MILLISECONDS) == null, () -> "unexpected " + events);
    }

    @Test
    void noHelloInTimeIsClosed() throws Exception {
        SocketChannel idle = connect();
        int id = next(Event.HandoffConnected.class).connection();
        write(idle, new byte[] {0, 0, 0, 10, 'A'}); // half a frame is no HELLO either
        long start = System.nanoTime();
        assertEquals(0, readToEnd(idle));
        assertTrue(System.nanoTime() - start >= HELLO.toNanos() / 2, "closed before the timeout");
        assertEquals(new Event.HandoffClosed(id, "no HELLO within 300ms"), next(Event.HandoffClosed.class));
    }

    @Test
    void theOldestWaitingConnectionMakesRoomForANewOne() throws Exception {
        List<SocketChannel> idle = new ArrayList<>();
        for (int i = 0; i < MAX_WAITING; i++) {
            idle.add(connect());
            next(Event.HandoffConnected.class);
        }
        SocketChannel child = connect();
        int childId = next(Event.HandoffConnected.class).connection();
        Event.HandoffClosed evicted = next(Event.HandoffClosed.class);
        assertTrue(evicted.reason().startsWith("no HELLO yet, and 4 newer connections"), evicted::toString);
        assertEquals(0, readToEnd(idle.get(0)), "the oldest is closed");
        write(child, Frame.of("BATON", "1", "TOKEN", "t").encode());
        assertEquals(childId, next(Event.ChildHello.class).connection());
    }

    @Test
    void aBadFrameClosesOnlyThatConnection() throws Exception {
        SocketChannel bad = connect();
        int id = next(Event.HandoffConnected.class).connection();
        write(bad, ByteBuffer.allocate(4).putInt(0x7fffffff).array());
        assertEquals(0, readToEnd(bad));
        assertEquals(new Event.HandoffClosed(id, "bad frame: frame length 2147483647 exceeds 65536 bytes"),
                next(Event.HandoffClosed.class));

        SocketChannel eof = connect();
        int eofId = next(Event.HandoffConnected.class).connection();
        write(eof, new byte[] {0, 0, 0, 9, 'A', '='});
        eof.shutdownOutput();
        assertEquals(new Event.HandoffClosed(eofId, "bad frame: connection closed in the middle of a frame"),
                next(Event.HandoffClosed.class));
    }

    @Test
    void manyIdleConnectionsShareOneThread() throws Exception {
        for (int i = 0; i < 300; i++) {
            connect();
        }
        long handoffThreads = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("handoff")).count();
        assertEquals(1, handoffThreads);
        int closed = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (closed < 300 && System.nanoTime() < deadline) {
            Event e = events.poll(1, TimeUnit.SECONDS);
            if (e instanceof Event.HandoffClosed) {
                closed++;
            }
        }
        assertEquals(300, closed, "every idle connection is closed");
        for (SocketChannel c : clients) {
            assertEquals(0, readToEnd(c));
        }
    }

    @Test
    @Timeout(20)
    void theStablePathReplacesAStaleSocketAndRefusesALiveOneOrAnOpenDirectory() throws IOException {
        LibcNative nat = new LibcNative();
        Path stable = dir.resolve("baton-stable");
        HandoffServer first = HandoffServer.openAt(stable, nat, e -> { });
        try {
            assertEquals(stable.resolve("handoff.sock"), first.socketPath());
            assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(stable)));
            IOException live = assertThrows(IOException.class, () -> HandoffServer.openAt(stable, nat, e -> { }));
            assertTrue(live.getMessage().endsWith("handoff.sock is in use by another batond of the same --control: stop that one first"),
                    live.getMessage());
        } finally {
            first.close();
        }
        // A socket file nobody listens on any more (its batond was killed): replaced.
        Files.createDirectories(stable, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        try (java.nio.channels.ServerSocketChannel dead = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(stable.resolve("handoff.sock")));
        }
        assertTrue(Files.exists(stable.resolve("handoff.sock")));
        HandoffServer second = HandoffServer.openAt(stable, nat, e -> { });
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(second.socketPath()))) {
            assertTrue(client.isConnected());
        } finally {
            second.close();
        }
        // A directory others may enter, or a symbolic link: refused, nothing created.
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        IOException mode = assertThrows(IOException.class, () -> HandoffServer.openAt(open, nat, e -> { }));
        assertTrue(mode.getMessage().endsWith("has mode rwxr-xr-x, not rwx------: only batond's user may enter it"), mode.getMessage());
        Path link = Files.createSymbolicLink(dir.resolve("link"), stable);
        IOException symlink = assertThrows(IOException.class, () -> HandoffServer.openAt(link, nat, e -> { }));
        assertTrue(symlink.getMessage().endsWith("is not a directory"), symlink.getMessage());
        assertTrue(Files.notExists(open.resolve("handoff.sock")));
    }

    @Test
    void theStableDirectoryFollowsTheControlSocketOnly() {
        Path a = dev.baton.supervisor.cli.SocketPaths.stableHandoffDir(Path.of("/run/x"), Path.of("/run/x/control"));
        assertEquals(a, dev.baton.supervisor.cli.SocketPaths.stableHandoffDir(Path.of("/run/x"), Path.of("/run/x/./control")));
        assertTrue(a.getFileName().toString().matches("baton-[0-9a-f]{16}"), a.toString());
        assertTrue(!a.equals(dev.baton.supervisor.cli.SocketPaths.stableHandoffDir(Path.of("/run/x"), Path.of("/run/x/control2"))));
    }
}
