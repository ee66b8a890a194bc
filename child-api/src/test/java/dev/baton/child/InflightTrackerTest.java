package dev.baton.child;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The tracker's accept: a connection accepted as the drain closes the listener is waited for. */
@Timeout(20)
class InflightTrackerTest {

    @Test
    void anAcceptStillRunningHoldsAwaitIdleWithoutCountingAsInFlight() throws Exception {
        InflightTracker t = new InflightTracker();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                return t.accept(() -> {
                    entered.countDown();
                    await(release);
                    return "connection";
                });
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        });
        entered.await();
        assertEquals(0, t.inflight());
        assertFalse(t.awaitIdle(Instant.now().plusMillis(50)), "an accept is still running");

        release.countDown();
        assertEquals("connection", accepted.get(10, TimeUnit.SECONDS));
        assertEquals(1, t.inflight());
        assertFalse(t.awaitIdle(Instant.now()));
        t.end();
        assertTrue(t.awaitIdle(Instant.now()));
        assertEquals(1, t.served());
    }

    @Test
    void anAcceptThatFailsOrFindsNothingBeginsNothing() throws Exception {
        InflightTracker t = new InflightTracker();
        assertThrows(ClosedChannelException.class, () -> t.accept(() -> {
            throw new ClosedChannelException();
        }));
        assertNull(t.accept(() -> null));
        assertEquals(0, t.inflight());
        assertEquals(0, t.served());
        assertTrue(t.awaitIdle(Instant.now()));
    }

    @Test
    void aWaiterWakesWhenTheLastAcceptFails() throws Exception {
        InflightTracker t = new InflightTracker();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread acceptor = new Thread(() -> {
            try {
                t.accept(() -> {
                    entered.countDown();
                    await(release);
                    throw new ClosedChannelException();
                });
            } catch (java.io.IOException expected) {
                // the listener closed
            }
        });
        acceptor.start();
        entered.await();
        CompletableFuture<Boolean> idle = CompletableFuture.supplyAsync(() -> {
            try {
                return t.awaitIdle(Instant.now().plusSeconds(10));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        release.countDown();
        assertTrue(idle.get(10, TimeUnit.SECONDS));
        acceptor.join();
    }

    /**
     * The README's accept loop on a real listener, with the acceptor held between accept's return
     * and the rest of its work (as a busy or low-priority CPU may hold it) until the drain has
     * closed the listener and is waiting for in-flight requests. The wait must not end before
     * that request does: the drain serves it and exits 0. (With {@code accept()} then
     * {@code begin()} the wait ends at once, before the request is counted.)
     */
    @Test
    void theDrainWaitsForAConnectionAcceptedAsTheListenerCloses() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open();
                SocketChannel client = SocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            InflightTracker inflight = new InflightTracker();
            List<String> events = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch acceptReturned = new CountDownLatch(1);
            CountDownLatch waiting = new CountDownLatch(1);
            CountDownLatch waitEnded = new CountDownLatch(1);
            Drainable participant = Drainable.of(server, inflight);
            Thread acceptor = new Thread(() -> {
                try {
                    SocketChannel c = inflight.accept(() -> {
                        SocketChannel accepted = server.accept();
                        acceptReturned.countDown();
                        await(waiting);
                        // A wait that ended wrongly ends at once; a right one holds until we go on.
                        await(waitEnded, 200);
                        return accepted;
                    });
                    try (c) {
                        c.write(ByteBuffer.wrap(new byte[] {'o', 'k'}));
                    } finally {
                        events.add("request ended");
                        inflight.end();
                    }
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
            }, "acceptor");
            acceptor.start();
            client.connect(server.getLocalAddress());
            acceptReturned.await();

            Drain drain = new Drain(Duration.ofSeconds(10), null, 1, new Readiness(), () -> { }, code -> { });
            drain.add(new Drainable() {
                @Override
                public void stopAccepting() throws Exception {
                    participant.stopAccepting();
                }

                @Override
                public boolean awaitIdle(Instant deadline) throws InterruptedException {
                    waiting.countDown();
                    boolean idle = participant.awaitIdle(deadline);
                    events.add("wait ended");
                    waitEnded.countDown();
                    return idle;
                }

                @Override
                public long inflight() {
                    return participant.inflight();
                }

                @Override
                public long served() {
                    return participant.served();
                }
            });
            DrainReport report = drain.run("SIGTERM");
            acceptor.join();

            assertEquals(List.of("request ended", "wait ended"), events);
            assertEquals(0, report.abandoned());
            assertEquals(1, report.served());
            assertEquals(0, report.exitCode());
            ByteBuffer answer = ByteBuffer.allocate(2);
            while (answer.hasRemaining() && client.read(answer) >= 0) {
                // read the answer
            }
            assertEquals("ok", new String(answer.array(), StandardCharsets.US_ASCII));
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void await(CountDownLatch latch, long millis) {
        try {
            latch.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
