package dev.baton.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Reading which generation answered from a response body: the parsing, and real exchanges on 127.0.0.1. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HttpClientConnectionTest {
    static final int UNKNOWN = HttpClientConnection.Response.UNKNOWN_GENERATION;

    static int generation(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
        return HttpClientConnection.generation(bytes, bytes.length);
    }

    @Test
    void parsesTheGenerationHelloAnswersWith() {
        assertEquals(3, generation("generation=3 pid=4242\n"));
        assertEquals(0, generation("generation=0 pid=1\n"), "hello outside batond");
        assertEquals(17, generation("generation=17"));
        assertEquals(2, generation("hi generation=2 slept=5ms\n"));
        assertEquals(Integer.MAX_VALUE, generation("generation=2147483647 pid=1"));
    }

    @Test
    void anythingElseIsUnknown() {
        assertEquals(UNKNOWN, generation(""));
        assertEquals(UNKNOWN, generation("hi\n"));
        assertEquals(UNKNOWN, generation("generation="));
        assertEquals(UNKNOWN, generation("generation= 3"));
        assertEquals(UNKNOWN, generation("generation=-3"));
        assertEquals(UNKNOWN, generation("generation=x pid=1"));
        assertEquals(UNKNOWN, generation("generation=2147483648 pid=1"));
        assertEquals(UNKNOWN, generation("generation=99999999999999999999999"));
        assertEquals(UNKNOWN, generation("Generation=3"));
        byte[] cut = "generation=3".getBytes(StandardCharsets.US_ASCII);
        assertEquals(UNKNOWN, HttpClientConnection.generation(cut, cut.length - 1), "only the length given counts");
    }

    @Test
    void aRealExchangeCarriesTheGenerationAndConsumesLongBodies() throws Exception {
        String longBody = "generation=5 pid=7 " + "x".repeat(1000) + "\n";
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread answerer = answer(server, response("200 OK", "generation=12 pid=99\n"), response("200 OK", longBody),
                    response("503 Service Unavailable", "not ready: draining\n"),
                    response("200 OK", "x".repeat(HttpClientConnection.BODY_KEPT) + "generation=9\n"));
            try (HttpClientConnection connection = HttpClientConnection.open(server.getLocalPort(), true,
                    Duration.ofSeconds(5), Duration.ofSeconds(5))) {
                assertFalse(connection.reused());
                assertEquals(new HttpClientConnection.Response(200, false, 12), connection.exchange());
                assertTrue(connection.reused());
                // The next response is read from where the long body ended: all of it was consumed.
                assertEquals(new HttpClientConnection.Response(200, false, 5), connection.exchange());
                assertEquals(new HttpClientConnection.Response(503, false, UNKNOWN), connection.exchange());
                assertEquals(new HttpClientConnection.Response(200, false, UNKNOWN), connection.exchange(),
                        "past the bytes kept");
            }
            answerer.join();
        }
    }

    @Test
    void aBodyCutShortIsAnEof() throws Exception {
        String cut = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\ngeneration=1 pid=2\n";
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread answerer = answer(server, cut);
            try (HttpClientConnection connection = HttpClientConnection.open(server.getLocalPort(), true,
                    Duration.ofSeconds(5), Duration.ofSeconds(5))) {
                assertThrows(EOFException.class, connection::exchange);
            }
            answerer.join();
        }
    }

    private static String response(String status, String body) {
        return "HTTP/1.1 " + status + "\r\nContent-Length: " + body.length() + "\r\nConnection: keep-alive\r\n\r\n" + body;
    }

    /** Accepts one connection and answers each request head on it with the next of {@code responses}, then closes. */
    private static Thread answer(ServerSocket server, String... responses) {
        Thread thread = new Thread(() -> {
            try (Socket socket = server.accept()) {
                socket.setSoTimeout(10_000);
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                int matched = 0;
                for (int next = 0, b; next < responses.length && (b = in.read()) != -1; ) {
                    matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
                    if (matched == 4) {
                        out.write(responses[next++].getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        matched = 0;
                    }
                }
            } catch (IOException e) {
                // The client went away; the test's assertions say what went wrong.
            }
        }, "canned-server");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
