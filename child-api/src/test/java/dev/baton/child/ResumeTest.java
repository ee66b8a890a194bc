package dev.baton.child;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import dev.baton.protocol.Addresses;
import dev.baton.protocol.Env;
import dev.baton.protocol.Frame;
import dev.baton.protocol.Keys;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child outlives an unplanned death of batond: it keeps its listeners, reconnects to the next
 * batond on the same path with RESUME=1, and sends the listeners back when asked. Real AF_UNIX
 * and TCP sockets, real descriptors; the fake batond is the only fake.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ResumeTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Duration FAST = Duration.ofMillis(1);
    private static final String TOKEN = "t0ken";

    @TempDir
    Path dir;

    private final LogCapture log = new LogCapture();
    private BatondLink link;

    @AfterEach
    void closeLink() {
        if (link != null) {
            link.close();
        }
        log.close();
    }

    private Path socket() {
        return dir.resolve("handoff.sock");
    }

    private static void assertEventually(BooleanSupplier condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plus(WAIT);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            Thread.sleep(10);     // a poll interval: the deadline decides
        }
    }

    private static void assertResumeHello(Frame hello, int generation) {
        assertEquals("1", hello.get(Keys.BATON), hello.toString());
        assertEquals(TOKEN, hello.get(Keys.TOKEN));
        assertEquals(Long.toString(ProcessHandle.current().pid()), hello.get(Keys.PID));
        assertEquals("1", hello.get(Keys.RESUME));
        assertEquals(Integer.toString(generation), hello.get(Keys.GENERATION));
    }

    /** A child connected the way Baton does it: the first handoff, then the link with a fast backoff. */
    private BatondLink linked(FakeBatond batond, int generation, List<Listener> listeners, BooleanSupplier draining)
            throws Exception {
        Handoff first = Handoff.connect(socket().toString());
        FakeBatond.Conn conn = batond.expectConnection(WAIT);
        conn.close();     // this batond "dies" at once: the tests start from an orphaned child
        link = new BatondLink(first, socket().toString(), TOKEN, generation, listeners, FAST, Duration.ofMillis(4));
        link.start(draining);
        return link;
    }

    @Test
    void batondDiesTheChildReconnectsWithResumeAndSendsItsListenersBack() throws Exception {
        try (ServerSocketChannel http = ServerSocketChannel.open()) {
            http.bind(new InetSocketAddress("127.0.0.1", 0));
            InetSocketAddress httpAddress = (InetSocketAddress) http.getLocalAddress();
            FakeBatond first = new FakeBatond(socket());
            Map<String, String> env = Map.of(Env.BATON_SOCKET, socket().toString(), Env.BATON_TOKEN, TOKEN);
            CompletableFuture<Baton> connecting = CompletableFuture.supplyAsync(() -> {
                try {
                    return Baton.fromEnvironment(env, List.of());
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            FakeBatond.Conn handoff = first.expectConnection(WAIT);
            Frame hello = handoff.read(WAIT).frame();
            assertNull(hello.get(Keys.RESUME), "a first hello is no resume: " + hello);
            handoff.send(Frame.of(Keys.GENERATION, "7", Keys.LISTENERS, "http", Keys.ADDRESSES,
                    Addresses.format(httpAddress)), JdkChannels.fdOf(http));
            Baton baton = connecting.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            link = baton.batondLink();

            // kill -9 of batond: its connection and its listening socket go; a new one binds the same path.
            handoff.close();
            first.close();
            assertEventually(() -> log.lines().stream().anyMatch(l -> l.contains("batond went away (")),
                    "the child says batond went away");
            assertTrue(log.line("batond went away (").endsWith(
                    "serving on orphaned; reconnecting to " + socket()), log.line("batond went away ("));

            try (FakeBatond next = new FakeBatond(socket())) {
                FakeBatond.Conn resumed = next.expectConnection(WAIT);
                FakeBatond.Received resume = resumed.read(WAIT);
                assertResumeHello(resume.frame(), 7);
                assertEquals(List.of(), resume.fds());
                assertEventually(() -> log.lines().stream().anyMatch(
                        l -> l.contains("reconnected to batond at " + socket() + " (RESUME sent)")), "the reconnected line");

                resumed.send(Frame.of("SOMETHING_NEW", "1"));     // ignored, the thread goes on
                resumed.send(Frame.of(Keys.SEND_LISTENERS, "1"));
                FakeBatond.Received back = resumed.read(WAIT);
                assertEquals("http", back.frame().get(Keys.LISTENERS), back.frame().toString());
                assertEquals(Addresses.format(httpAddress), back.frame().get(Keys.ADDRESSES));
                assertEquals(1, back.fds().size(), "one descriptor per listener");
                try (ServerSocketChannel returned = JdkChannels.serverSocketChannel(back.fds().get(0), httpAddress);
                        SocketChannel client = SocketChannel.open(httpAddress)) {
                    assertEquals(httpAddress, returned.getLocalAddress(), "the same listening socket");
                    try (SocketChannel accepted = returned.accept()) {
                        assertEquals(client.getLocalAddress(), accepted.getRemoteAddress(),
                                "the returned descriptor accepts from the same accept queue");
                    }
                }

                // Frames after the reconnect go over the new connection.
                baton.reportStats(3, 9);
                Frame stats = resumed.read(WAIT).frame();
                assertEquals("3", stats.get(Keys.INFLIGHT), stats.toString());
                assertEquals("9", stats.get(Keys.SERVED));
                resumed.close();
            }
        }
    }

    @Test
    void aRefusedResumeIsRetriedAndLeaksNoDescriptor() throws Exception {
        try (FakeBatond batond = new FakeBatond(socket())) {
            linked(batond, 4, List.of(), () -> false);
            // Warm up whatever the JVM opens once, then count.
            for (int i = 0; i < 2; i++) {
                FakeBatond.Conn refused = batond.expectConnection(WAIT);
                assertResumeHello(refused.read(WAIT).frame(), 4);
                refused.close();
            }
            FakeBatond.Conn kept = batond.expectConnection(WAIT);
            assertResumeHello(kept.read(WAIT).frame(), 4);
            long before = FakeBatond.openFds();
            kept.close();
            for (int i = 0; i < 20; i++) {
                FakeBatond.Conn refused = batond.expectConnection(WAIT);
                assertResumeHello(refused.read(WAIT).frame(), 4);
                refused.close();
            }
            kept = batond.expectConnection(WAIT);
            assertResumeHello(kept.read(WAIT).frame(), 4);
            long after = FakeBatond.openFds();
            assertTrue(after - before <= 2, "descriptors " + before + " -> " + after + " across 20 refused resumes");
            kept.close();
        }
        List<String> lines = log.lines();
        assertEquals(1, lines.stream().filter(l -> l.contains("batond went away")).count(), lines.toString());
        assertTrue(lines.stream().filter(l -> l.contains("reconnected to batond")).count() <= 1,
                "refusals are not announced each time: " + lines);
        assertEquals(0, lines.stream().filter(l -> l.contains("still orphaned")).count(),
                "at most one line a minute: " + lines);
    }

    @Test
    void noReconnectOnceTheDrainHasBegunAndTheListenersAreNotSentWhileDraining() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch awaiting = new CountDownLatch(1);
        CompletableFuture<Integer> exitCode = new CompletableFuture<>();
        try (FakeBatond batond = new FakeBatond(socket());
                ServerSocketChannel http = ServerSocketChannel.open()) {
            http.bind(new InetSocketAddress("127.0.0.1", 0));
            Listener listener = new Listener("http", (InetSocketAddress) http.getLocalAddress(), JdkChannels.fdOf(http));
            Drain[] drain = new Drain[1];
            linked(batond, 2, List.of(listener), () -> drain[0] != null && drain[0].started());
            drain[0] = new Drain(Duration.ofSeconds(30), link, 2, new Readiness(), () -> { }, exitCode::complete);
            drain[0].add(new Drainable() {
                @Override
                public void stopAccepting() {
                }

                @Override
                public boolean awaitIdle(Instant deadline) throws InterruptedException {
                    awaiting.countDown();
                    return release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                }
            });
            FakeBatond.Conn resumed = batond.expectConnection(WAIT);
            assertResumeHello(resumed.read(WAIT).frame(), 2);

            drain[0].startAndExit("SIGTERM");
            assertTrue(awaiting.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "the drain waits for in-flight requests");
            resumed.send(Frame.of(Keys.SEND_LISTENERS, "1"));
            FakeBatond.Received none = resumed.read(WAIT);
            assertEquals("", none.frame().get(Keys.LISTENERS), none.frame().toString());
            assertEquals("", none.frame().get(Keys.ADDRESSES));
            assertEquals(List.of(), none.fds());

            resumed.close();      // batond dies during the drain
            // With a 1-4 ms backoff an orphaned child would have come back hundreds of times by now.
            assertNull(batond.accept(Duration.ofSeconds(1)), "no reconnect while draining");
            release.countDown();
            assertEquals(0, exitCode.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
    }

    @Test
    void drainedCarriesTheExitCode() throws Exception {
        CompletableFuture<Integer> exitCode = new CompletableFuture<>();
        try (FakeBatond batond = new FakeBatond(socket())) {
            linked(batond, 5, List.of(), () -> false);
            FakeBatond.Conn resumed = batond.expectConnection(WAIT);
            assertResumeHello(resumed.read(WAIT).frame(), 5);
            Drain drain = new Drain(Duration.ofSeconds(10), link, 5, new Readiness(), () -> { }, exitCode::complete);
            drain.add(new Drainable() {
                @Override
                public void stopAccepting() {
                }

                @Override
                public boolean awaitIdle(Instant deadline) {
                    return true;
                }

                @Override
                public long inflight() {
                    return 2;     // never finishes: abandoned at the end, exit 1
                }
            });
            drain.startAndExit("SIGTERM");
            Frame drained = resumed.read(WAIT).frame();
            assertEquals("1", drained.get(Keys.DRAINED), drained.toString());
            assertEquals("1", drained.get(Keys.EXIT), "the code it exits with: " + drained);
            assertEquals(1, exitCode.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            resumed.expectEnd(WAIT);
            assertNull(batond.accept(Duration.ofMillis(500)), "no reconnect after DRAINED");
        }
        assertEquals("0", new DrainReport(5, 0, 0, 10, List.of(), true).toFrame().get(Keys.EXIT));
    }

    @Test
    void aListenerTheServiceClosedItselfIsAnsweredWithNoneAndTheConnectionStays() throws Exception {
        try (FakeBatond batond = new FakeBatond(socket())) {
            // A descriptor number no file has: sendmsg fails with EBADF.
            Listener closed = new Listener("http", new InetSocketAddress("127.0.0.1", 8080), 1_000_000);
            linked(batond, 6, List.of(closed), () -> false);
            FakeBatond.Conn resumed = batond.expectConnection(WAIT);
            assertResumeHello(resumed.read(WAIT).frame(), 6);
            resumed.send(Frame.of(Keys.SEND_LISTENERS, "1"));
            FakeBatond.Received none = resumed.read(WAIT);
            assertEquals("", none.frame().get(Keys.LISTENERS), none.frame().toString());
            assertEquals(List.of(), none.fds());
            link.send(Frame.of(Keys.READY, "1"));
            assertEquals("1", resumed.read(WAIT).frame().get(Keys.READY), "the same connection goes on");
            assertTrue(log.line("cannot send batond the listeners").contains("sent none"));
            resumed.close();
        }
    }

    @Test
    void theSocketFileIsGoneUntilTheNextBatondBindsIt() throws Exception {
        // The orphaned child keeps trying while nothing listens on the path at all.
        try (FakeBatond batond = new FakeBatond(socket())) {
            linked(batond, 1, List.of(), () -> false);
        }
        assertTrue(Files.notExists(socket()));
        assertEventually(() -> log.lines().stream().anyMatch(l -> l.contains("batond went away")), "orphaned");
        try (FakeBatond next = new FakeBatond(socket())) {
            FakeBatond.Conn resumed = next.expectConnection(WAIT);
            assertResumeHello(resumed.read(WAIT).frame(), 1);
            assertNotNull(resumed);
            resumed.close();
        }
    }
}
