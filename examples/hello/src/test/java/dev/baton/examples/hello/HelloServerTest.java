package dev.baton.examples.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
import dev.baton.child.Readiness;
import dev.baton.child.Sockets;

/** The server in process, on a port-0 listener adopted exactly as one from batond would be. */
@Timeout(20)
class HelloServerTest {
    private static final int GENERATION = 7;
    private static final String IDENTITY = "generation=" + GENERATION + " pid=" + ProcessHandle.current().pid();

    private HelloServer server;
    private InetSocketAddress address;
    private volatile Readiness.Verdict readiness = new Readiness.Verdict(true, "ready");

    @BeforeEach
    void start() throws Exception {
        Sockets.Bound bound = Sockets.listen(new InetSocketAddress("127.0.0.1", 0));
        address = bound.address();
        server = HelloServer.start(List.of(new Listener("http", address, bound.fd())), GENERATION, () -> readiness);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
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
    void theWarmUpAnswersOnAPrivatePortWithoutTouchingTheListener() throws Exception {
        LoopbackWarmUp warmUp = server.loopbackWarmUp();
        for (int i = 0; i < 50; i++) {
            warmUp.call();
        }
        assertEquals(0, server.connections().served(), "the warm-up went through the listener");
        try (RawHttp client = new RawHttp(address)) {
            assertEquals(200, client.get("/").status());
        }
        await(() -> server.connections().served() == 1); // counted once the answer is written
    }

    @Test
    void aWarmUpRoundGivesEachLoopMoreThanOneConnectionAtOnce() {
        int loops = server.ioLoopCount();
        assertTrue(loops >= 1, "io loops: " + loops);
        int connections = server.loopbackWarmUp().requestsPerCall() / 2;
        assertEquals(HelloServer.warmUpConnections(loops), connections);
        assertTrue(connections >= 2 * loops && (loops == 1 || connections % loops != 0),
                connections + " connections a round over " + loops + " loop(s)");
    }

    @Test
    void warmUpRequestsIsAWholeNumberOrAOneLineError() {
        assertEquals(0, WarmUpSettings.count(null));
        assertEquals(0, WarmUpSettings.count(" "));
        assertEquals(50, WarmUpSettings.count(" 50 "));
        assertEquals(WarmUpSettings.MAX, WarmUpSettings.count(Integer.toString(WarmUpSettings.MAX)));
        for (String bad : List.of("-1", "1e3", "ten", "1000001", "99999999999999999999999", "5\n6")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WarmUpSettings.count(bad), bad);
            assertTrue(e.getMessage().startsWith("HELLO_WARMUP_REQUESTS='") && !e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void theJitIdleLimitIsWholeSecondsUpToTenMinutesOrAOneLineError() {
        assertNull(WarmUpSettings.jitIdleAtMost(null));
        assertNull(WarmUpSettings.jitIdleAtMost("0"));
        assertEquals(Duration.ofSeconds(30), WarmUpSettings.jitIdleAtMost(" 30 "));
        assertEquals(Duration.ofMinutes(10), WarmUpSettings.jitIdleAtMost("600"));
        for (String bad : List.of("-1", "30s", "601", "99999999999999999999999", "5\n6")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WarmUpSettings.jitIdleAtMost(bad), bad);
            assertTrue(e.getMessage().startsWith("HELLO_WARMUP_JIT_IDLE_S='") && !e.getMessage().contains("\n"), e.getMessage());
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
            assertTrue(slept.body().contains(IDENTITY), slept.body());
            assertTrue(Duration.between(sent, Instant.now()).toMillis() >= 300);
        }
    }

    @Test
    void sleepAfterDrainIsHeldUntilTheDrainBeginsThenSleeps() throws Exception {
        try (RawHttp waiter = new RawHttp(address); RawHttp clock = new RawHttp(address)) {
            waiter.send("/sleep?ms=200&after=drain");
            await(() -> server.connections().inflight() == 1);
            // A plain sleep on another connection, answered while the waiter still has nothing.
            assertEquals(200, clock.get("/sleep?ms=500").status());
            assertEquals(0, waiter.unread(), "answered before the drain began");

            Instant drained = Instant.now();
            server.connections().stopAccepting();
            RawHttp.Response answer = waiter.read();
            assertEquals(200, answer.status());
            assertTrue(answer.body().contains(IDENTITY + " slept=200ms"), answer.body());
            assertEquals("close", answer.header("connection"));
            assertTrue(Duration.between(drained, Instant.now()).toMillis() >= 200);
            assertTrue(server.connections().awaitIdle(Instant.now().plusSeconds(5)));
        }
    }

    @Test
    void sleepAfterDrainOnceTheDrainHasBegunJustSleeps() throws Exception {
        try (RawHttp late = new RawHttp(address)) {
            await(() -> server.connections().connections() == 1);
            server.connections().stopAccepting();
            Instant sent = Instant.now();
            RawHttp.Response answer = late.get("/sleep?ms=100&after=drain");
            assertEquals(200, answer.status());
            assertTrue(answer.body().contains("slept=100ms"), answer.body());
            assertTrue(Duration.between(sent, Instant.now()).toMillis() >= 100);
        }
    }

    @Test
    void aClientThatGivesUpOnASleepAfterDrainLeavesNothingBehind() throws Exception {
        try (RawHttp waiter = new RawHttp(address)) {
            waiter.send("/sleep?ms=0&after=drain");
            await(() -> server.connections().inflight() == 1);
        }
        // The request ends with its connection, not at the drain: nothing is waiting for one.
        await(() -> server.connections().connections() == 0 && server.connections().inflight() == 0);
        server.connections().stopAccepting();
        assertTrue(server.connections().awaitIdle(Instant.now().plusSeconds(5)));
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
        assertEquals(4, server.connections().served());
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawHttp client = new RawHttp(address)) {
            client.send("/sleep?ms=200");
            client.send("/");
            assertTrue(client.read().body().contains("slept=200ms"));
            assertEquals(IDENTITY + "\n", client.read().body());
        }
    }

    @Test
    void readyFollowsBatonsReadinessAndLiveIsAlways200() throws Exception {
        try (RawHttp client = new RawHttp(address)) {
            RawHttp.Response ready = client.get("/ready");
            assertEquals(200, ready.status());
            assertEquals("ready\n", ready.body());
            readiness = new Readiness.Verdict(false, "draining");
            RawHttp.Response draining = client.get("/ready");
            assertEquals(503, draining.status());
            assertEquals("not ready: draining\n", draining.body());
            assertEquals(200, client.get("/live").status());
        }
    }

    @Test
    void drainStagesStopAcceptingThenLetInflightFinishThenCloseIdleConnections() throws Exception {
        try (RawHttp idle = new RawHttp(address); RawHttp busy = new RawHttp(address);
                RawHttp fresh = new RawHttp(address)) {
            assertEquals(200, idle.get("/").status());
            busy.send("/sleep?ms=500");
            await(() -> server.connections().inflight() == 1 && server.connections().connections() == 3);

            // Stage 1: this process no longer accepts; the connections it has stay open.
            server.connections().stopAccepting();
            assertThrows(ConnectException.class, () -> new Socket(address.getAddress(), address.getPort()).close(),
                    "this process no longer accepts");
            // Accepted before the drain but silent until now: its first request is still answered, with close.
            RawHttp.Response late = fresh.get("/");
            assertEquals(200, late.status());
            assertEquals("close", late.header("connection"));
            assertTrue(fresh.closedByServer());

            // Stage 2: the request in flight finishes, and is told the connection closes.
            assertTrue(server.connections().awaitIdle(Instant.now().plusSeconds(5)));
            RawHttp.Response inflight = busy.read();
            assertEquals(200, inflight.status());
            assertTrue(inflight.body().contains(IDENTITY), inflight.body());
            assertEquals("close", inflight.header("connection"));
            assertTrue(busy.closedByServer());

            // Stage 3: the idle keep-alive connection was left open until now, and is closed now.
            assertEquals(1, server.connections().closeIdle(Instant.now().plusSeconds(5)));
            assertTrue(idle.closedByServer(), "an idle keep-alive connection is closed in stage 3");
            assertEquals(0, server.connections().connections());
        }
        assertEquals(List.of(), server.connections().abandon(), "nothing left past the stages");
        assertEquals(3, server.connections().served());
    }

    @Test
    void pastTheDeadlineTheRequestStillInFlightIsNamedAndClosed() throws Exception {
        try (RawHttp busy = new RawHttp(address)) {
            busy.send("/sleep?ms=10000");
            await(() -> server.connections().inflight() == 1);
            server.connections().stopAccepting();
            assertEquals(false, server.connections().awaitIdle(Instant.now().plusMillis(100)));
            List<String> abandoned = server.connections().abandon();
            assertEquals(1, abandoned.size(), abandoned::toString);
            assertTrue(abandoned.get(0).startsWith("GET /sleep?ms=10000 from /127.0.0.1:"), abandoned.get(0));
            assertTrue(busy.closedByServer());
        }
    }

    @Test
    void drainClosesAConnectionThatNeverSendsARequestAfterTheGrace() throws Exception {
        try (RawHttp silent = new RawHttp(address)) {
            await(() -> server.connections().connections() == 1);
            Instant drained = Instant.now();
            server.connections().stopAccepting();
            server.connections().closeIdle(Instant.now().plusSeconds(5));
            assertTrue(silent.closedByServer());
            assertTrue(Duration.between(drained, Instant.now()).compareTo(Connection.FIRST_REQUEST_GRACE) >= 0);
        }
        assertTrue(server.connections().awaitIdle(Instant.now().plusSeconds(5)));
    }

    @Test
    void aRequestAfterOurFinIsDroppedNotHalfAnswered() throws Exception {
        try (RawHttp client = new RawHttp(address)) {
            assertEquals(200, client.get("/").status());
            server.connections().stopAccepting();
            server.connections().closeIdle(Instant.now()); // asks at once; the FIN follows on the event loop
            assertTrue(client.closedByServer());
            // The server still reads (so its close sends FIN, not RST) but answers nothing more.
            client.send("/");
            assertTrue(client.closedByServer());
        }
        assertTrue(server.connections().awaitIdle(Instant.now().plusSeconds(5)));
        assertEquals(1, server.connections().served());
    }

    /** Waits for a condition the server reaches on its own threads; the class timeout bounds it. */
    private static void await(BooleanSupplier condition) throws InterruptedException {
        while (!condition.getAsBoolean()) {
            Thread.sleep(5);
        }
    }
}
