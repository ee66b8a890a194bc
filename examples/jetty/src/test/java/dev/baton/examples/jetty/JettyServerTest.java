package dev.baton.examples.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.baton.child.Listener;
import dev.baton.child.Sockets;

/** The Jetty server in process, on a port-0 listener adopted exactly as one from batond would be. */
@Timeout(20)
class JettyServerTest {
    private static final int GENERATION = 7;
    private static final String IDENTITY = "generation=" + GENERATION + " pid=" + ProcessHandle.current().pid();

    private JettyServer server;
    private InetSocketAddress address;

    @BeforeEach
    void start() throws Exception {
        Sockets.Bound bound = Sockets.listen(new InetSocketAddress("127.0.0.1", 0));
        address = bound.address();
        server = JettyServer.start(List.of(new Listener("http", address, bound.fd())), GENERATION);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void servesOnTheAdoptedListenerWithoutBindingItsOwn() {
        assertEquals(List.of(address), server.addresses());
    }

    @Test
    void rootSaysWhichGenerationAndProcessAnswered() throws Exception {
        try (RawHttp client = new RawHttp(address)) {
            RawHttp.Response response = client.get("/");
            assertEquals(200, response.status());
            assertEquals(IDENTITY + "\n", response.body());
            assertEquals(Integer.toString(response.body().length()), response.header("content-length"));
        }
    }

    @Test
    void sleepAnswersAfterTheDelayWithoutHoldingUpOthers() throws Exception {
        try (RawHttp sleeper = new RawHttp(address); RawHttp other = new RawHttp(address)) {
            Instant sent = Instant.now();
            sleeper.send("/sleep?ms=300");
            assertEquals(200, other.get("/").status()); // answered while the sleeper waits
            RawHttp.Response slept = sleeper.read();
            assertEquals(200, slept.status());
            assertEquals(IDENTITY + " slept=300ms\n", slept.body());
            assertTrue(Duration.between(sent, Instant.now()).toMillis() >= 300);
        }
    }

    @Test
    void sleepAfterDrainIsHeldUntilTheDrainBeginsThenSleeps() throws Exception {
        try (RawHttp waiter = new RawHttp(address); RawHttp clock = new RawHttp(address)) {
            waiter.send("/sleep?ms=200&after=drain");
            await(() -> server.drain().inflight() == 1);
            // A plain sleep on another connection, answered while the waiter still has nothing.
            assertEquals(200, clock.get("/sleep?ms=500").status());
            assertEquals(0, waiter.unread(), "answered before the drain began");

            Instant drained = Instant.now();
            server.drain().stopAccepting();
            RawHttp.Response answer = waiter.read();
            assertEquals(200, answer.status());
            assertEquals(IDENTITY + " slept=200ms\n", answer.body());
            assertEquals("close", answer.header("connection"));
            assertTrue(Duration.between(drained, Instant.now()).toMillis() >= 200);
        }
        assertTrue(server.drain().awaitIdle(Instant.now().plusSeconds(5)));
    }

    @Test
    void sleepAfterDrainOnceTheDrainHasBegunJustSleeps() throws Exception {
        try (RawHttp late = new RawHttp(address)) {
            await(() -> server.drain().connections() == 1);
            server.drain().stopAccepting();
            Instant sent = Instant.now();
            RawHttp.Response answer = late.get("/sleep?ms=100&after=drain");
            assertEquals(200, answer.status());
            assertEquals(IDENTITY + " slept=100ms\n", answer.body());
            assertTrue(Duration.between(sent, Instant.now()).toMillis() >= 100);
        }
    }

    @Test
    void aSleepAfterDrainWhoseClientLeftEndsAtTheDrainWithNothingLeftWaiting() throws Exception {
        try (RawHttp waiter = new RawHttp(address)) {
            waiter.send("/sleep?ms=0&after=drain");
            await(() -> server.drain().inflight() == 1);
        }
        server.drain().stopAccepting();
        assertTrue(server.drain().awaitIdle(Instant.now().plusSeconds(5)), "the drain waits for nobody");
        assertEquals(0, server.drain().inflight());
    }

    @Test
    void badSleepIs400AndUnknownPathIs404() throws Exception {
        try (RawHttp client = new RawHttp(address)) {
            for (String path : List.of("/sleep", "/sleep?ms=abc", "/sleep?ms=-1", "/sleep?ms=1&ms=2",
                    "/sleep?ms=" + (HelloHandler.MAX_SLEEP_MS + 1), "/sleep?ms=1&after=now", "/sleep?ms=1&after=",
                    "/sleep?ms=1&after=drain&after=drain", "/sleep?after=drain")) {
                assertEquals(400, client.get(path).status(), path);
            }
            assertEquals(404, client.get("/nope").status());
            assertEquals(200, client.get("/").status()); // errors keep the connection usable
        }
    }

    @Test
    void keepAliveReusesTheConnectionUntilTheClientSaysClose() throws Exception {
        try (RawHttp client = new RawHttp(address)) {
            for (int i = 0; i < 3; i++) {
                RawHttp.Response response = client.get("/");
                assertEquals(200, response.status());
                assertNull(response.header("connection"));
            }
            RawHttp.Response last = client.get("/", "Connection: close");
            assertEquals(200, last.status());
            assertEquals("close", last.header("connection"));
            assertTrue(client.closedByServer());
        }
        // Counted when Jetty completes the request, which may be an instant after the client has read it.
        await(() -> server.drain().served() == 4);
    }

    @Test
    void drainStopsAcceptingClosesIdleConnectionsAndAnswersInflightOnesWithConnectionClose() throws Exception {
        try (RawHttp idle = new RawHttp(address); RawHttp busy = new RawHttp(address)) {
            assertEquals(200, idle.get("/").status());
            busy.send("/sleep?ms=1500");
            await(() -> server.drain().inflight() == 1);

            Instant drained = Instant.now();
            server.drain().stopAccepting();

            assertThrows(ConnectException.class, () -> new Socket(address.getAddress(), address.getPort()).close(),
                    "this process no longer accepts");
            assertTrue(idle.closedByServer(), "an idle keep-alive connection is closed");
            assertTrue(Duration.between(drained, Instant.now()).compareTo(JettyDrain.IDLE_CLOSE.plusSeconds(1)) < 0,
                    "closed after about " + JettyDrain.IDLE_CLOSE + ", not at its normal idle timeout");
            assertEquals(1, server.drain().inflight(), "the sleeping request is still in flight");

            RawHttp.Response inflight = busy.read();
            assertEquals(200, inflight.status());
            assertEquals(IDENTITY + " slept=1500ms\n", inflight.body());
            assertEquals("close", inflight.header("connection"));
            assertTrue(busy.closedByServer());
        }
        assertTrue(server.drain().awaitIdle(Instant.now().plusSeconds(5)));
        server.drain().closeIdle(Instant.now().plusSeconds(5));
        assertEquals(0, server.drain().inflight());
        assertEquals(0, server.drain().connections());
        assertEquals(2, server.drain().served());
    }

    @Test
    void awaitIdleWaitsForTheRequestInFlightAndGivesUpAtTheDeadline() throws Exception {
        try (RawHttp busy = new RawHttp(address)) {
            busy.send("/sleep?ms=1000");
            await(() -> server.drain().inflight() == 1);
            server.drain().stopAccepting();
            assertEquals(false, server.drain().awaitIdle(Instant.now().plusMillis(100)), "still in flight");
            assertTrue(server.drain().awaitIdle(Instant.now().plusSeconds(5)));
            assertEquals(200, busy.read().status());
        }
    }

    @Test
    void aConnectionThatNeverSendsARequestIsWaitedForThenClosedAsIdle() throws Exception {
        try (RawHttp silent = new RawHttp(address)) {
            await(() -> server.drain().connections() == 1); // counted from accept(2) on
            Instant drained = Instant.now();
            server.drain().stopAccepting();
            assertTrue(server.drain().awaitIdle(Instant.now().plusSeconds(5)), "no request in flight");
            assertEquals(1, server.drain().closeIdle(Instant.now().plusSeconds(5)), "the silent connection, closed as idle");
            assertTrue(silent.closedByServer());
            assertTrue(Duration.between(drained, Instant.now()).compareTo(JettyDrain.IDLE_CLOSE) >= 0);
        }
        assertEquals(0, server.drain().connections());
    }

    /** Waits for a condition the server reaches on its own threads; the class timeout bounds it. */
    private static void await(BooleanSupplier condition) throws InterruptedException {
        while (!condition.getAsBoolean()) {
            Thread.sleep(5);
        }
    }
}
