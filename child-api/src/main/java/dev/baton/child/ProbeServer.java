package dev.baton.child;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.baton.protocol.Addresses;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

/**
 * Kubernetes-style probes on the JDK's built-in HTTP server (no dependency):
 * <ul>
 *   <li>{@code GET /ready}: 200 {@code ready} while {@link Readiness#verdict()} is ready; 503 with
 *       the reason otherwise: before {@link Baton#ready()}, while a check fails (its name and
 *       error in the body), and from the moment the drain begins;</li>
 *   <li>{@code GET /live}: 200 {@code live} as long as the process runs, draining included: a
 *       draining process must not be restarted, only taken out of the load balancer.</li>
 * </ul>
 * {@link Baton#serveProbes(String)} starts one on its own address. Where two generations
 * overlap (batond, start_server) they cannot both bind one probe port: serve the same answers
 * on the service's own listener instead, with {@link #handler(Readiness)} on a JDK HTTP server,
 * or from {@link Baton#readiness()} as examples/hello does.
 */
public final class ProbeServer implements AutoCloseable {
    /** Readiness: 200 or 503. */
    public static final String READY_PATH = "/ready";
    /** Liveness: 200 while the process runs. */
    public static final String LIVE_PATH = "/live";

    private final HttpServer server;
    private final ExecutorService executor;

    private ProbeServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Binds {@code address} (port 0 picks a free one) and serves the probes there. */
    public static ProbeServer start(InetSocketAddress address, Readiness readiness) throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw new IOException("cannot serve probes on " + Addresses.format(address) + ": " + e.getMessage(), e);
        }
        // One daemon thread: probes are rare and quick, and must never keep the JVM alive.
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "baton-probes");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", handler(readiness));
        server.start();
        return new ProbeServer(server, executor);
    }

    /**
     * The probe answers as a handler for a JDK HTTP server of the service's own: paths ending in
     * {@code /ready} and {@code /live}, anything else 404.
     */
    public static HttpHandler handler(Readiness readiness) {
        return exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                String method = exchange.getRequestMethod();
                if (!method.equals("GET") && !method.equals("HEAD")) {
                    respond(exchange, 405, "GET or HEAD only\n");
                } else if (path.endsWith(READY_PATH)) {
                    Readiness.Verdict verdict = readiness.verdict();
                    respond(exchange, verdict.ready() ? 200 : 503,
                            (verdict.ready() ? "" : "not ready: ") + verdict.reason() + "\n");
                } else if (path.endsWith(LIVE_PATH)) {
                    respond(exchange, 200, "live\n");
                } else {
                    respond(exchange, 404, "probes are " + READY_PATH + " and " + LIVE_PATH + "\n");
                }
            }
        };
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Where the probes are served (with the real port when bound to port 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Stops serving the probes at once. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
