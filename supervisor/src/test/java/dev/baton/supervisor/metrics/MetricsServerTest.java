package dev.baton.supervisor.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** MetricsServer's HTTP, byte by byte, and what it does with clients that misbehave. */
@Timeout(30)
public class MetricsServerTest {
    private static final String TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final byte[] BODY = "baton_generation 1.0\n".getBytes(StandardCharsets.UTF_8);
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final MetricsServer.Limits SHORT = new MetricsServer.Limits(4, 1024, 64 * 1024 * 1024, 500, 500, 500, 100, 0, 60_000);

    @Test
    void getMetricsIsAnsweredAndClosed() throws Exception {
        try (MetricsServer server = new MetricsServer(ANY_PORT, TYPE, out -> out.write(BODY), SHORT)) {
            String answer = exchange(server.port(), "GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n");
            assertEquals("HTTP/1.1 200 OK\r\nContent-Type: " + TYPE + "\r\nContent-Length: " + BODY.length
                    + "\r\nConnection: close\r\n\r\nbaton_generation 1.0\n", answer);
            // HTTP/1.0, bare LF line ends, a query string: still the metrics.
            assertTrue(exchange(server.port(), "GET /metrics?name[]=x HTTP/1.0\n\n").endsWith("\r\n\r\nbaton_generation 1.0\n"));
            String head = exchange(server.port(), "HEAD /metrics HTTP/1.1\r\n\r\n");
            assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n") && head.contains("Content-Length: " + BODY.length + "\r\n")
                    && head.endsWith("\r\n\r\n"), head);
            awaitNoConnections(server::openConnections);
        }
    }

    @Test
    void answersAsTheExporterItReplacesDid() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        Counter.builder().name("baton_reloads_total").help("Reloads by outcome").labelNames("outcome")
                .register(registry).labelValues("succeeded").inc(2);
        Histogram.builder().name("baton_reload_duration_seconds").help("Reload duration").classicOnly()
                .classicUpperBounds(0.1, 1, 10).register(registry).observe(0.3);
        Gauge.builder().name("baton_generation_served").help("Served").labelNames("generation")
                .register(registry).labelValues("3").set(1592);
        CounterWithCallback.builder().name("baton_log_lines_dropped_total").help("Dropped lines")
                .callback(cb -> cb.call(7)).register(registry);
        PrometheusTextFormatWriter format = PrometheusTextFormatWriter.create();
        HTTPServer exporter = HTTPServer.builder().inetAddress(InetAddress.getLoopbackAddress()).port(0)
                .registry(registry).buildAndStart();
        try (MetricsServer server = new MetricsServer(ANY_PORT, format.getContentType(),
                out -> format.write(out, registry.scrape()), SHORT)) {
            String request = "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
            String theirs = exchange(exporter.getPort(), request);
            String ours = exchange(server.port(), request);
            assertEquals(body(theirs), body(ours));
            assertEquals(header(theirs, "content-type"), header(ours, "content-type"));
            assertEquals(TYPE, header(ours, "content-type"));
            assertTrue(body(ours).contains("baton_log_lines_dropped_total 7.0\n"), ours);
        } finally {
            exporter.close();
        }
    }

    @Test
    void refusesWhatIsNotAScrape() throws Exception {
        try (MetricsServer server = new MetricsServer(ANY_PORT, TYPE, out -> out.write(BODY), SHORT)) {
            int port = server.port();
            assertStatus(404, exchange(port, "GET / HTTP/1.1\r\n\r\n"));
            assertStatus(404, exchange(port, "GET /metricsx HTTP/1.1\r\n\r\n"));
            String post = exchange(port, "POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
            assertStatus(405, post);
            assertTrue(post.contains("\r\nAllow: GET, HEAD\r\n"), post);
            for (String bad : List.of("HELLO\r\n\r\n", "GET /metrics\r\n\r\n", "GET /metrics HTTP/2.0\r\n\r\n",
                    "GET  /metrics HTTP/1.1\r\n\r\n", "get /metrics HTTP/1.1\r\n\r\n", "GET metrics HTTP/1.1\r\n\r\n",
                    "GET /metrics HTTP/1.1\r\nno colon\r\n\r\n", "GET /metrics HTTP/1.1\r\nHost : x\r\n\r\n",
                    "GET /metrics HTTP/1.1\r\n folded: x\r\n\r\n", "GET /met\0rics HTTP/1.1\r\n\r\n",
                    "GET /metrics HTTP/1.1\rHost: x\r\n\r\n", "\u0016\u0003\u0001\u0002\u0000\u0001\r\n\r\n")) {
                assertStatus(400, exchange(port, bad));
            }
            assertStatus(400, exchange(port, new byte[] {(byte) 0xff, (byte) 0xfe, 'G', 'E', 'T', '\n', '\n'}));
            awaitNoConnections(server::openConnections);
        }
    }

    @Test
    void anOversizedHeadIsRefused() throws Exception {
        try (MetricsServer server = new MetricsServer(ANY_PORT, TYPE, out -> out.write(BODY), SHORT)) {
            String huge = "GET /metrics HTTP/1.1\r\nX-Filler: " + "a".repeat(5000) + "\r\n\r\n";
            assertStatus(431, exchange(server.port(), huge));
            // A head just under the limit is fine.
            String fits = "GET /metrics HTTP/1.1\r\nX-Filler: " + "a".repeat(900) + "\r\n\r\n";
            assertStatus(200, exchange(server.port(), fits));
            awaitNoConnections(server::openConnections);
        }
    }

    @Test
    void aHalfRequestIsDroppedAtTheReadTimeout() throws Exception {
        try (MetricsServer server = new MetricsServer(ANY_PORT, TYPE, out -> out.write(BODY), SHORT);
             Socket client = connect(server.port())) {
            client.getOutputStream().write("GET /met".getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            assertEquals(0, readAll(client.getInputStream()).length, "no answer, just the close");
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(tookMs >= 400 && tookMs < 5000, "closed after " + tookMs + " ms");
            awaitNoConnections(server::openConnections);
        }
    }

    @Test
    void aClientThatNeverReadsIsDroppedAtTheWriteTimeout() throws Exception {
        byte[] large = new byte[16 * 1024 * 1024]; // more than any socket buffers hold
        Arrays.fill(large, (byte) 'x');
        try (MetricsServer server = new MetricsServer(ANY_PORT, TYPE, out -> out.write(large), SHORT);
             Socket client = new Socket()) {
            client.setReceiveBufferSize(4096);
            client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 5000);
            client.getOutputStream().write("GET /metrics HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            awaitOneConnection(server::openConnections);
            awaitNoConnections(server::openConnections); // the write timeout: nothing read here meanwhile
            int received = 0;
            try {
                received = readAll(client.getInputStream()).length;
            } catch (IOException reset) {
                // the server reset the connection: the unsent answer is gone
            }
            assertTrue(received < large.length, "received the whole answer: " + received);
        }
    }

    @Test
    void aFloodOfHalfRequestsDoesNotStarveAScrape() throws Exception {
        List<Socket> halfOpen = new ArrayList<>();
        try (MetricsServer server = new MetricsServer(ANY_PORT, TYPE, out -> out.write(BODY),
                new MetricsServer.Limits(4, 1024, 1024, 10_000, 10_000, 500, 100, 0, 60_000))) {
            for (int i = 0; i < 50; i++) {
                Socket s = connect(server.port());
                halfOpen.add(s);
                s.getOutputStream().write("GET /met".getBytes(StandardCharsets.US_ASCII));
            }
            long start = System.nanoTime();
            assertStatus(200, exchange(server.port(), "GET /metrics HTTP/1.1\r\n\r\n"));
            assertTrue(System.nanoTime() - start < 5_000_000_000L, "the scrape waited for the half requests' timeout");
            assertTrue(server.openConnections() <= 4, "over the cap: " + server.openConnections());
            assertTrue(server.peakDescriptors() <= 5, "descriptors held at once: " + server.peakDescriptors());
            for (Socket s : halfOpen) {
                s.close();
            }
            awaitNoConnections(server::openConnections);
        } finally {
            for (Socket s : halfOpen) {
                s.close();
            }
        }
    }

    /**
     * Hundreds of clients that connect and send nothing, half a request, or a whole one that they
     * never read the answer to nor close, and stay, queued ahead of a real scrape in the kernel's
     * backlog: each makes way for the next newcomer at once, so the scrape is answered long before
     * a cap-full per read timeout or linger would reach it (300 / 4 x 10 s here), and the
     * server never holds more than its cap (nor, counting those the selector has yet to release,
     * more than one descriptor beside it).
     */
    @Test
    void aQueueOfSilentHalfOrNeverClosingClientsDoesNotHoldUpAScrape() throws Exception {
        for (String sent : List.of("", "GET /met", "GET /metrics HTTP/1.1\r\n\r\n")) {
            List<Socket> held = new ArrayList<>();
            try (MetricsServer server = new MetricsServer(ANY_PORT, TYPE, out -> out.write(BODY),
                    new MetricsServer.Limits(4, 1024, 1024, 10_000, 10_000, 10_000, 500, 0, 60_000))) {
                for (int i = 0; i < 300; i++) {
                    Socket s = connect(server.port());
                    held.add(s);
                    s.getOutputStream().write(sent.getBytes(StandardCharsets.US_ASCII));
                }
                long start = System.nanoTime();
                assertStatus(200, exchange(server.port(), "GET /metrics HTTP/1.1\r\n\r\n"));
                long tookMs = (System.nanoTime() - start) / 1_000_000;
                assertTrue(tookMs < 5_000, "'" + sent + "' x 300 held the scrape up for " + tookMs + " ms");
                assertTrue(server.openConnections() <= 4, "over the cap: " + server.openConnections());
                // Evicted clients' descriptors wait for the selector's next select: at most one beside the cap.
                assertTrue(server.peakDescriptors() <= 5, "descriptors held at once: " + server.peakDescriptors());
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    @Test
    void abortedScrapesLeaveNoConnectionBehind() throws Exception {
        try (MetricsServer server = new MetricsServer(ANY_PORT, TYPE, out -> out.write(BODY), SHORT)) {
            for (int i = 0; i < 500; i++) {
                try (Socket s = connect(server.port())) {
                    s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    if (i % 2 == 0) {
                        s.setSoLinger(true, 0);
                    }
                }
            }
            awaitNoConnections(server::openConnections);
            assertStatus(200, exchange(server.port(), "GET /metrics HTTP/1.1\r\n\r\n"));
        }
    }

    /**
     * While the server is busy (here: stuck rendering), a flood of connects waits in the kernel's
     * queue. One that finds the queue full has its SYN dropped and cannot connect before the
     * kernel sends it again a second later; with Java's default backlog of 50 the 52nd did.
     */
    @Test
    void connectsQueueWhileTheServerIsBusy() throws Exception {
        CountDownLatch rendering = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Socket> queued = new ArrayList<>();
        try (MetricsServer server = new MetricsServer(ANY_PORT, TYPE, out -> {
            rendering.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.write(BODY);
        }, SHORT)) {
            Socket first = connect(server.port());
            queued.add(first);
            first.getOutputStream().write("GET /metrics HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(rendering.await(10, TimeUnit.SECONDS), "the scrape was never rendered");
            InetSocketAddress endpoint = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
            for (int i = 0; i < 500; i++) {
                Socket s = new Socket();
                queued.add(s);
                try {
                    s.connect(endpoint, 900); // under the kernel's 1 s SYN retransmission
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("connect " + (i + 1) + " found the accept queue full", e);
                }
            }
            release.countDown();
            for (Socket s : queued) {
                s.close();
            }
            awaitNoConnections(server::openConnections);
            assertStatus(200, exchange(server.port(), "GET /metrics HTTP/1.1\r\n\r\n"));
        } finally {
            release.countDown();
            for (Socket s : queued) {
                s.close();
            }
        }
    }

    @Test
    void aBodyOverTheCapIsAServerError() throws Exception {
        try (MetricsServer server = new MetricsServer(ANY_PORT, TYPE, out -> out.write(new byte[2048]),
                new MetricsServer.Limits(4, 1024, 1024, 500, 500, 500, 100, 0, 60_000))) {
            assertStatus(500, exchange(server.port(), "GET /metrics HTTP/1.1\r\n\r\n"));
        }
    }

    @Test
    void aBodyRenderedAMomentAgoIsSentAgain() throws Exception {
        java.util.concurrent.atomic.AtomicInteger renders = new java.util.concurrent.atomic.AtomicInteger();
        try (MetricsServer server = new MetricsServer(ANY_PORT, TYPE,
                out -> out.write(("renders " + renders.incrementAndGet() + "\n").getBytes(StandardCharsets.UTF_8)),
                new MetricsServer.Limits(4, 1024, 1024, 500, 500, 500, 100, 60_000, 60_000))) {
            for (int i = 0; i < 5; i++) {
                assertEquals("renders 1\n", body(exchange(server.port(), "GET /metrics HTTP/1.1\r\n\r\n")));
            }
        }
    }

    private static void assertStatus(int status, String answer) {
        assertTrue(answer.startsWith("HTTP/1.1 " + status + " "), answer);
        assertTrue(answer.contains("\r\nConnection: close\r\n"), answer);
    }

    private static String body(String answer) {
        return answer.substring(answer.indexOf("\r\n\r\n") + 4);
    }

    private static String header(String answer, String name) {
        for (String line : answer.substring(0, answer.indexOf("\r\n\r\n")).split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        s.setSoTimeout(10_000);
        return s;
    }

    private static String exchange(int port, String request) throws IOException {
        return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Sends {@code request}, reads until the server closes. */
    private static String exchange(int port, byte[] request) throws IOException {
        try (Socket s = connect(port)) {
            s.getOutputStream().write(request);
            return new String(readAll(s.getInputStream()), StandardCharsets.ISO_8859_1);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) > 0; ) {
            all.write(buffer, 0, n);
        }
        return all.toByteArray();
    }

    private static void awaitOneConnection(IntSupplier open) throws InterruptedException {
        await(open, 1, "the connection was never accepted");
    }

    private static void awaitNoConnections(IntSupplier open) throws InterruptedException {
        await(open, 0, "connections left open");
    }

    private static void await(IntSupplier open, int wanted, String failure) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (open.getAsInt() != wanted) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure + ": " + open.getAsInt());
            }
            Thread.sleep(10); // a polling interval: the count decides
        }
    }
}
