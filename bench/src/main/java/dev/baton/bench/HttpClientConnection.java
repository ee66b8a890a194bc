package dev.baton.bench;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * One raw HTTP/1.1 connection to 127.0.0.1: writes a GET, reads one response with a
 * Content-Length body (what examples/hello sends) and which generation answered, when the body
 * says so. Connect and reads are bounded by timeouts.
 */
final class HttpClientConnection implements Closeable {
    /** How much of a body is kept to find {@code generation=N} in: hello's whole body, and no more. */
    static final int BODY_KEPT = 64;
    private static final byte[] GENERATION = "generation=".getBytes(StandardCharsets.US_ASCII);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] request;
    /** The start of the current body; reused, so a request allocates nothing for it. */
    private final byte[] body = new byte[BODY_KEPT];
    private int responses;

    private HttpClientConnection(Socket socket, byte[] request) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.request = request;
    }

    static HttpClientConnection open(int port, boolean keepAlive, Duration connectTimeout, Duration readTimeout)
            throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), (int) connectTimeout.toMillis());
            socket.setSoTimeout((int) readTimeout.toMillis());
            String request = "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: "
                    + (keepAlive ? "keep-alive" : "close") + "\r\n\r\n";
            return new HttpClientConnection(socket, request.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Whether a response was read on this connection before, so the server may have closed it as idle. */
    boolean reused() {
        return responses > 0;
    }

    /** Sends the GET and reads the answer: its status, who answered, whether the server keeps the connection open. */
    Response exchange() throws IOException {
        try {
            out.write(request);
            out.flush();
        } catch (IOException e) {
            throw new ClosedEarlyException("writing the request failed: " + e.getMessage(), e);
        }
        int first;
        try {
            first = in.read();
        } catch (java.net.SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            throw new ClosedEarlyException("closed before the response: " + e.getMessage(), e);
        }
        if (first == -1) {
            throw new ClosedEarlyException("EOF before the response", null);
        }
        String statusLine = (char) first + readLine();
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("bad status line: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        long length = -1;
        boolean close = parts[0].equals("HTTP/1.0");
        for (String line; !(line = readLine()).isEmpty(); ) {
            String lower = line.toLowerCase();
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring("content-length:".length()).trim());
            } else if (lower.startsWith("connection:")) {
                close = lower.contains("close");
            }
        }
        if (length < 0) {
            throw new IOException("response without Content-Length: " + statusLine);
        }
        int kept = readBody(length);
        responses++;
        return new Response(status, close, generation(body, kept));
    }

    /** Reads all {@code length} body bytes, keeping the first {@link #BODY_KEPT}; returns how many were kept. */
    private int readBody(long length) throws IOException {
        int kept = 0;
        while (kept < Math.min(length, body.length)) {
            int n = in.read(body, kept, (int) Math.min(length, body.length) - kept);
            if (n == -1) {
                throw new EOFException("EOF after " + kept + " of " + length + " body bytes");
            }
            kept += n;
        }
        for (long i = kept; i < length; i++) {
            if (in.read() == -1) {
                throw new EOFException("EOF after " + i + " of " + length + " body bytes");
            }
        }
        return kept;
    }

    /**
     * The N of the first {@code generation=N} in {@code bytes[0, length)} (hello's {@code GET /}
     * answers {@code generation=N pid=P}), or {@link Response#UNKNOWN_GENERATION} when there is
     * none, it has no digits, or it does not fit an int.
     */
    static int generation(byte[] bytes, int length) {
        for (int at = 0; at + GENERATION.length <= length; at++) {
            if (!Arrays.equals(bytes, at, at + GENERATION.length, GENERATION, 0, GENERATION.length)) {
                continue;
            }
            long value = 0;
            int digits = 0;
            for (int i = at + GENERATION.length; i < length && bytes[i] >= '0' && bytes[i] <= '9'; i++) {
                value = value * 10 + (bytes[i] - '0');
                digits++;
                if (value > Integer.MAX_VALUE) {
                    return Response.UNKNOWN_GENERATION;
                }
            }
            return digits == 0 ? Response.UNKNOWN_GENERATION : (int) value;
        }
        return Response.UNKNOWN_GENERATION;
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b == -1) {
                throw new EOFException("EOF in the response head");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // Nothing left to do with it.
        }
    }

    /**
     * A status, whether the server will close the connection after it, and the generation that
     * answered ({@link #UNKNOWN_GENERATION} when the body did not say).
     */
    record Response(int status, boolean closesConnection, int generation) {
        static final int UNKNOWN_GENERATION = -1;
    }
}
