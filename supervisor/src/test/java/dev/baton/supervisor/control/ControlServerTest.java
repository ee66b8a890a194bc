package dev.baton.supervisor.control;

import dev.baton.supervisor.os.LibcNative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The control socket's cap and read timeout, on a real socket with a 1 s timeout and room for 4. */
@Timeout(60)
public class ControlServerTest {
    private static final int MAX = 4;
    private static final int TIMEOUT_MS = 1000;

    @TempDir
    Path dir;
    private ControlServer control;
    private final List<ControlReply> held = new CopyOnWriteArrayList<>();
    private final List<SocketChannel> clients = new ArrayList<>();

    @BeforeEach
    void open() throws IOException {
        control = ControlServer.open(dir.resolve("control.sock"), new LibcNative(), (command, reply) -> {
            if (command.equals("hold")) {
                held.add(reply); // answered later, as reload --wait is
            } else {
                reply.send(ControlResponses.ok("answered " + command));
            }
        }, TIMEOUT_MS, MAX);
    }

    @AfterEach
    void close() throws IOException {
        held.forEach(r -> r.send(ControlResponses.ok("late")));
        for (SocketChannel c : clients) {
            c.close();
        }
        control.close();
    }

    private SocketChannel connect() throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        clients.add(c);
        c.connect(UnixDomainSocketAddress.of(control.path()));
        return c;
    }

    private static void write(SocketChannel c, String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    /** Everything up to end of stream; a reset fails the test (the answer would be lost to batonctl). */
    private static String readToEnd(SocketChannel c) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(4096);
        while (c.read(b.clear()) > 0) {
            out.write(b.array(), 0, b.position());
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** As batonctl does it: the line, then read to the end without half-closing. */
    private String request(String line) throws IOException {
        SocketChannel c = connect();
        write(c, line + "\n");
        return readToEnd(c);
    }

    private static long connectionThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("control")).count();
    }

    private static void awaitThreadsAtMost(long n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (connectionThreads() > n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(connectionThreads() <= n, () -> connectionThreads() + " connection threads, expected at most " + n);
    }

    @Test
    void idleClientsMakeRoomAndStatusAlwaysAnswers() throws Exception {
        List<SocketChannel> idle = new ArrayList<>();
        for (int i = 0; i < 5 * MAX; i++) {
            idle.add(connect());
        }
        // The oldest ones were dropped to make room, each with an answer that says why.
        for (SocketChannel c : idle.subList(0, 4 * MAX)) {
            String answer = readToEnd(c);
            assertTrue(answer.startsWith("{\"ok\":false,\"error\":\"dropped: 4 control connections are open"), answer);
        }
        awaitThreadsAtMost(MAX);

        assertEquals("{\"ok\":true,\"message\":\"answered status\"}\n", request("status"));

        // The rest are dropped at the read timeout.
        long start = System.nanoTime();
        for (SocketChannel c : idle.subList(4 * MAX + 1, idle.size())) {
            String answer = readToEnd(c);
            assertTrue(answer.startsWith("{\"ok\":false,\"error\":\"no request within 1s"), answer);
        }
        assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS * 5));
        awaitThreadsAtMost(0);
    }

    @Test
    void busyWhenEveryPlaceAwaitsItsAnswer() throws Exception {
        List<SocketChannel> waiting = new ArrayList<>();
        for (int i = 0; i < MAX; i++) {
            SocketChannel c = connect();
            write(c, "hold\n");
            waiting.add(c);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (held.size() < MAX && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(MAX, held.size());

        String busy = request("status");
        assertTrue(busy.startsWith("{\"ok\":false,\"error\":\"busy: too many control connections"), busy);
        assertEquals(MAX, connectionThreads(), "no thread for the refused client");

        held.forEach(r -> r.send(ControlResponses.ok("done")));
        held.clear();
        for (SocketChannel c : waiting) {
            assertEquals("{\"ok\":true,\"message\":\"done\"}\n", readToEnd(c));
        }
        // A client sees its answer's end before the server's thread has given up its place.
        awaitThreadsAtMost(0);
        assertEquals("{\"ok\":true,\"message\":\"answered status\"}\n", request("status"));
    }
}
