package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The load client and HTTP probe against in-test servers, before they are trusted against batond. */
@Timeout(60)
class LoadClientSelfTest {

    @Test
    void loadSeesEveryResponseAndEveryGeneration() throws Exception {
        AtomicInteger generation = new AtomicInteger(1);
        AtomicLong served = new AtomicLong();
        CountDownLatch firstThousand = new CountDownLatch(1000);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        ExecutorService executor = Executors.newFixedThreadPool(4);
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            byte[] body = ("generation=" + generation.get() + " pid=1\n").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
            served.incrementAndGet();
            firstThousand.countDown();
        });
        server.start();
        try (LoadClient load = LoadClient.start(server.getAddress().getPort(), 2, 2)) {
            assertTrue(load.awaitGeneration(1, Duration.ofSeconds(10)), () -> load.report().toString());
            assertTrue(firstThousand.await(20, TimeUnit.SECONDS), () -> load.report().toString());
            assertTrue(load.awaitSuccesses(1000, Duration.ofSeconds(10)), () -> load.report().toString());
            generation.set(2);
            assertTrue(load.awaitGeneration(2, Duration.ofSeconds(10)), () -> load.report().toString());
            load.stop();
            LoadReport report = load.report();
            assertEquals(0, report.failures(), report::toString);
            assertTrue(report.ok() >= 1000, report::toString);
            assertEquals(Set.of(1, 2), report.generations(), report::toString);
        } finally {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    @Test
    void keepAliveRetriesOnceWhenAReusedConnectionIsClosedBeforeTheResponse() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer(List.of(
                (socket, in, out) -> { // answers once, then closes as if idle
                    ScriptedHttpServer.readRequest(in);
                    ScriptedHttpServer.respond(out, "generation=1", false);
                },
                (socket, in, out) -> {
                    ScriptedHttpServer.readRequest(in);
                    ScriptedHttpServer.respond(out, "generation=2", false);
                }));
             HttpProbe probe = new HttpProbe(server.port(), ClientKind.KEEP_ALIVE)) {
            assertEquals(1, probe.get("/").generation().getAsInt());
            assertEquals(2, probe.get("/").generation().getAsInt());
            assertEquals(1, probe.retries());
            assertEquals(2, server.accepted());
        }
    }

    @Test
    void keepAliveDoesNotRetryOnAFreshConnection() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer(List.of(
                (socket, in, out) -> ScriptedHttpServer.readRequest(in))); // reads, then closes without answering
             HttpProbe probe = new HttpProbe(server.port(), ClientKind.KEEP_ALIVE)) {
            assertThrows(ClosedBeforeResponseException.class, () -> probe.get("/"));
            assertEquals(0, probe.retries());
            assertEquals(1, server.accepted());
        }
    }

    @Test
    void keepAliveRetriesOnlyOnce() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer(List.of(
                (socket, in, out) -> {
                    ScriptedHttpServer.readRequest(in);
                    ScriptedHttpServer.respond(out, "generation=1", false);
                },
                (socket, in, out) -> ScriptedHttpServer.readRequest(in)));
             HttpProbe probe = new HttpProbe(server.port(), ClientKind.KEEP_ALIVE)) {
            probe.get("/");
            assertThrows(ClosedBeforeResponseException.class, () -> probe.get("/"));
            assertEquals(1, probe.retries());
            assertEquals(2, server.accepted());
        }
    }

    @Test
    void keepAliveDoesNotRetryAfterPartOfTheResponse() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer(List.of(
                (socket, in, out) -> {
                    ScriptedHttpServer.readRequest(in);
                    ScriptedHttpServer.respond(out, "generation=1", false);
                    ScriptedHttpServer.readRequest(in);
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\ngener".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }));
             HttpProbe probe = new HttpProbe(server.port(), ClientKind.KEEP_ALIVE)) {
            probe.get("/");
            IOException failure = assertThrows(IOException.class, () -> probe.get("/"));
            assertFalse(failure instanceof ClosedBeforeResponseException, failure.toString());
            assertEquals(0, probe.retries());
            assertEquals(1, server.accepted());
        }
    }

    @Test
    void keepAliveReconnectsAfterConnectionClose() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer(List.of(
                (socket, in, out) -> {
                    ScriptedHttpServer.readRequest(in);
                    ScriptedHttpServer.respond(out, "generation=1", true);
                    ScriptedHttpServer.readRequest(in); // a client that ignored the header would wait forever
                },
                (socket, in, out) -> {
                    ScriptedHttpServer.readRequest(in);
                    ScriptedHttpServer.respond(out, "generation=2", false);
                }));
             HttpProbe probe = new HttpProbe(server.port(), ClientKind.KEEP_ALIVE)) {
            assertTrue(probe.get("/").closesConnection());
            assertEquals(2, probe.get("/").generation().getAsInt());
            assertEquals(0, probe.retries());
            assertEquals(2, server.accepted());
        }
    }

    @Test
    void newConnectionSendsConnectionCloseAndReadsChunkedBodies() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer(List.of(
                (socket, in, out) -> {
                    String requestLine = in.readLine();
                    boolean close = false;
                    for (String line; !(line = in.readLine()).isEmpty(); ) {
                        close |= line.equalsIgnoreCase("Connection: close");
                    }
                    out.write(("HTTP/1.1 " + (close && requestLine.equals("GET /x HTTP/1.1") ? 200 : 400)
                            + " OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\ngener\r\n8\r\nation=7\n\r\n0\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }))) {
            HttpResponse response = HttpProbe.get(server.port(), "/x");
            assertEquals(200, response.status(), response::toString);
            assertEquals(7, response.generation().getAsInt());
        }
    }

    @Test
    void refusedConnectionsAreCountedAsFailures() throws Exception {
        int port;
        try (java.net.ServerSocket closed = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        try (LoadClient load = LoadClient.start(port, 1, 1)) {
            assertTrue(load.awaitFailures(10, Duration.ofSeconds(10)), () -> load.report().toString());
            load.stop();
            LoadReport report = load.report();
            assertEquals(0, report.ok(), report::toString);
            assertTrue(report.ioErrors() > 0, report::toString);
            assertTrue(report.firstFailures().size() <= 20, report::toString);
        }
    }
}
