package dev.baton.child;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** /ready and /live over real HTTP on 127.0.0.1, through start, a failing check, and the drain. */
@Timeout(30)
class ProbeServerTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> get(ProbeServer probes, String path) throws Exception {
        return request(probes, path, "GET");
    }

    private HttpResponse<String> request(ProbeServer probes, String path, String method) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + probes.address().getPort() + path);
        return http.send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void readyIs503UntilReadyThenFollowsTheChecksAndTurns503WhenTheDrainBegins() throws Exception {
        Readiness readiness = new Readiness();
        AtomicBoolean db = new AtomicBoolean(true);
        readiness.add("db", db::get);
        try (ProbeServer probes = ProbeServer.start(new InetSocketAddress("127.0.0.1", 0), readiness)) {
            HttpResponse<String> starting = get(probes, "/ready");
            assertEquals(503, starting.statusCode());
            assertTrue(starting.body().startsWith("not ready: starting"), starting.body());
            assertEquals(200, get(probes, "/live").statusCode(), "live is not ready");

            readiness.markReady();
            assertEquals(200, get(probes, "/ready").statusCode());
            assertEquals("ready\n", get(probes, "/ready").body());

            db.set(false);
            HttpResponse<String> failing = get(probes, "/ready");
            assertEquals(503, failing.statusCode());
            assertEquals("not ready: check 'db' failing\n", failing.body());
            db.set(true);
            assertEquals(200, get(probes, "/ready").statusCode());

            // A drain with a request in flight: /ready is 503 from its first moment, /live stays 200.
            InflightTracker inflight = new InflightTracker();
            inflight.begin();
            Drain drain = new Drain(Duration.ofSeconds(10), null, 1, readiness, () -> { }, code -> { });
            drain.add(new Drainable() {
                @Override
                public void stopAccepting() {}

                @Override
                public boolean awaitIdle(Instant deadline) throws InterruptedException {
                    return inflight.awaitIdle(deadline);
                }
            });
            drain.onClose("probes", probes);
            CompletableFuture<DrainReport> report = CompletableFuture.supplyAsync(() -> drain.run("SIGTERM"));
            while (!readiness.draining()) {
                Thread.onSpinWait();
            }
            HttpResponse<String> draining = get(probes, "/ready");
            assertEquals(503, draining.statusCode());
            assertEquals("not ready: draining\n", draining.body());
            assertEquals(200, get(probes, "/live").statusCode());

            inflight.end();
            assertEquals(List.of("probes"), report.get(10, TimeUnit.SECONDS).closed());
            assertThrows(java.io.IOException.class, () -> get(probes, "/live"), "closed by the drain");
        }
    }

    @Test
    void otherPathsAre404AndOtherMethods405() throws Exception {
        try (ProbeServer probes = ProbeServer.start(new InetSocketAddress("127.0.0.1", 0), new Readiness())) {
            assertEquals(404, get(probes, "/metrics").statusCode());
            assertEquals(405, request(probes, "/ready", "POST").statusCode());
            assertEquals(200, request(probes, "/live", "HEAD").statusCode());
        }
    }

    @Test
    void aStandaloneServiceServesProbesAndReadyFailsNamingTheCheck() throws Exception {
        Baton baton = Baton.fromEnvironment(Map.of(), List.of("127.0.0.1:0"));
        assertEquals(Mode.STANDALONE, baton.mode());
        assertEquals(Baton.DEFAULT_DRAIN_TIMEOUT, baton.drainTimeout());
        AtomicBoolean warm = new AtomicBoolean(false);
        baton.readinessCheck("cache", warm::get);
        ProbeServer probes = baton.serveProbes("127.0.0.1:0");
        try {
            IllegalStateException notReady = assertThrows(IllegalStateException.class,
                    () -> baton.ready(Duration.ofMillis(300)));
            assertTrue(notReady.getMessage().endsWith("check 'cache' failing"), notReady.getMessage());
            assertEquals(503, get(probes, "/ready").statusCode());

            warm.set(true);
            baton.ready();
            assertEquals(200, get(probes, "/ready").statusCode());
        } finally {
            probes.close();
            ChildNative.close(baton.listener().fd());
        }
    }

    @Test
    void aTakenAddressIsAOneLineError() throws Exception {
        try (ProbeServer first = ProbeServer.start(new InetSocketAddress("127.0.0.1", 0), new Readiness())) {
            java.io.IOException e = assertThrows(java.io.IOException.class,
                    () -> ProbeServer.start(first.address(), new Readiness()));
            assertTrue(e.getMessage().startsWith("cannot serve probes on 127.0.0.1:" + first.address().getPort()),
                    e.getMessage());
        }
    }
}
