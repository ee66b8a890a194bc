package dev.baton.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The load generator against real sockets on 127.0.0.1 that answer, refuse or reset. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LoadGeneratorTest {
    /** What a scripted server does with each connection. */
    interface Script {
        void serve(Socket socket) throws IOException;
    }

    @Test
    void countsAnswersByStatus() throws Exception {
        try (ServerSocket server = serve(socket -> answerAll(socket, "HTTP/1.1 200 OK"))) {
            Map<Outcome, Integer> seen = load(server.getLocalPort());
            assertTrue(seen.get(Outcome.OK) > 0, seen.toString());
            assertEquals(seen.get(Outcome.OK), total(seen), seen.toString());
        }
        try (ServerSocket server = serve(socket -> answerAll(socket, "HTTP/1.1 503 Service Unavailable"))) {
            Map<Outcome, Integer> seen = load(server.getLocalPort());
            assertTrue(seen.get(Outcome.NON_200) > 0, seen.toString());
            assertEquals(seen.get(Outcome.NON_200), total(seen), seen.toString());
        }
    }

    @Test
    void logsTheGenerationThatAnswered() throws Exception {
        try (ServerSocket server = serve(socket -> answerAll(socket, "HTTP/1.1 200 OK", "generation=7 pid=42\n"))) {
            RequestLog log = loadLog(server.getLocalPort());
            assertTrue(log.size() > 0);
            for (int i = 0; i < log.size(); i++) {
                assertEquals(Outcome.OK, log.outcome(i), "request " + i);
                assertEquals(7, log.generation(i), "request " + i);
            }
        }
        try (ServerSocket server = serve(socket -> answerAll(socket, "HTTP/1.1 200 OK"))) {
            RequestLog log = loadLog(server.getLocalPort());
            assertTrue(log.size() > 0);
            for (int i = 0; i < log.size(); i++) {
                assertEquals(HttpClientConnection.Response.UNKNOWN_GENERATION, log.generation(i), "a body without it: request " + i);
            }
        }
    }

    @Test
    void aConnectionClosedWithoutAnswerIsAReset() throws Exception {
        try (ServerSocket server = serve(socket -> {
            socket.getInputStream().read();
            socket.setSoLinger(true, 0); // RST instead of FIN
            socket.close();
        })) {
            Map<Outcome, Integer> seen = load(server.getLocalPort());
            assertTrue(seen.get(Outcome.RESET) > 0, seen.toString());
            assertEquals(seen.get(Outcome.RESET), total(seen), seen.toString());
        }
    }

    @Test
    void aPortNobodyListensOnRefuses() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        Map<Outcome, Integer> seen = load(port);
        assertTrue(seen.get(Outcome.REFUSED) > 0, seen.toString());
        assertEquals(seen.get(Outcome.REFUSED), total(seen), seen.toString());
    }

    /** Two clients (one new-connection, one keep-alive) for a moment; what they logged. */
    private static RequestLog loadLog(int port) throws InterruptedException {
        RunClock clock = new RunClock();
        LoadGenerator load = LoadGenerator.start(clock, port, 2, 1, 100);
        Thread.sleep(300); // a load of fixed length, not a synchronisation
        return load.stop();
    }

    /** The outcomes {@link #loadLog} saw; a failure never has a generation. */
    private static Map<Outcome, Integer> load(int port) throws InterruptedException {
        RequestLog log = loadLog(port);
        Map<Outcome, Integer> seen = new EnumMap<>(Outcome.class);
        for (Outcome outcome : Outcome.values()) {
            seen.put(outcome, 0);
        }
        for (int i = 0; i < log.size(); i++) {
            assertTrue(log.duration(i) >= 0 && log.start(i) >= 0, "request " + i);
            seen.merge(log.outcome(i), 1, Integer::sum);
            if (log.outcome(i) != Outcome.OK && log.outcome(i) != Outcome.NON_200) {
                assertEquals(HttpClientConnection.Response.UNKNOWN_GENERATION, log.generation(i), "request " + i);
            }
        }
        return seen;
    }

    private static int total(Map<Outcome, Integer> seen) {
        return seen.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Answers every request on the connection with {@code statusLine} and a small body, keeping it open. */
    private static void answerAll(Socket socket, String statusLine) throws IOException {
        answerAll(socket, statusLine, "hi\n");
    }

    private static void answerAll(Socket socket, String statusLine, String body) throws IOException {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        byte[] response = (statusLine + "\r\nContent-Length: " + body.length() + "\r\nConnection: keep-alive\r\n\r\n" + body)
                .getBytes(StandardCharsets.US_ASCII);
        int matched = 0;
        for (int b; (b = in.read()) != -1; ) {
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                out.write(response);
                out.flush();
                matched = 0;
            }
        }
    }

    /** A server on 127.0.0.1 running {@code script} on each connection in its own thread until closed. */
    private static ServerSocket serve(Script script) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    Thread handler = new Thread(() -> {
                        try (socket) {
                            script.serve(socket);
                        } catch (IOException e) {
                            // The client went away.
                        }
                    });
                    handler.setDaemon(true);
                    handler.start();
                } catch (IOException e) {
                    return; // closed
                }
            }
        }, "scripted-server");
        acceptor.setDaemon(true);
        acceptor.start();
        return server;
    }
}
