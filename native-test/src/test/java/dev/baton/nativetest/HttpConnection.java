package dev.baton.nativetest;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One raw HTTP/1.1 connection to 127.0.0.1: write a GET, read one response (status line, headers,
 * Content-Length or chunked body). Every read and the connect are bounded by timeouts.
 */
final class HttpConnection implements Closeable {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    private final int port;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private long responseBytes;
    private int responses;

    private HttpConnection(int port, Socket socket) throws IOException {
        this.port = port;
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static HttpConnection open(int port) throws IOException {
        return open(port, READ_TIMEOUT);
    }

    static HttpConnection open(int port, Duration readTimeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                    (int) CONNECT_TIMEOUT.toMillis());
            socket.setSoTimeout((int) readTimeout.toMillis());
            return new HttpConnection(port, socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Whether a response has already been read on this connection (so the server may close it as idle). */
    boolean reused() {
        return responses > 0;
    }

    /** Writes {@code GET path}; a failure to write is a close before any response byte. */
    void send(String path, boolean keepAlive) throws IOException {
        String request = "GET " + path + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\n"
                + "Connection: " + (keepAlive ? "keep-alive" : "close") + "\r\n"
                + "\r\n";
        try {
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            throw new ClosedBeforeResponseException("writing the request failed: " + e, e);
        }
    }

    /**
     * Reads one response. EOF or a reset before its first byte is a {@link ClosedBeforeResponseException};
     * anything that goes wrong later (or a timeout) is a plain IOException.
     */
    HttpResponse readResponse() throws IOException {
        long before = responseBytes;
        try {
            String statusLine = readLine();
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
                throw new IOException("bad status line: " + statusLine);
            }
            int status = Integer.parseInt(parts[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line; !(line = readLine()).isEmpty(); ) {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new IOException("bad header line: " + line);
                }
                headers.merge(line.substring(0, colon).trim().toLowerCase(), line.substring(colon + 1).trim(),
                        (a, b) -> a + ", " + b);
            }
            String body = new String(readBody(headers), StandardCharsets.UTF_8);
            responses++;
            return new HttpResponse(parts[0], status, headers, body);
        } catch (SocketTimeoutException e) {
            throw new SocketTimeoutException("read timed out (" + socket.getSoTimeout() + " ms) after "
                    + (responseBytes - before) + " response bytes");
        } catch (IOException e) {
            if (responseBytes == before) {
                throw new ClosedBeforeResponseException("closed before any response byte: " + e, e);
            }
            throw new IOException(e.getMessage() + " (after " + (responseBytes - before) + " response bytes)", e);
        }
    }

    private byte[] readBody(Map<String, String> headers) throws IOException {
        String length = headers.get("content-length");
        if (length != null) {
            return readExactly(Integer.parseInt(length.trim()));
        }
        if (headers.getOrDefault("transfer-encoding", "").toLowerCase().contains("chunked")) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String sizeLine = readLine();
                int size = Integer.parseInt(sizeLine.split(";", 2)[0].trim(), 16);
                if (size == 0) {
                    while (!readLine().isEmpty()) {
                        // trailers
                    }
                    return body.toByteArray();
                }
                body.write(readExactly(size));
                readLine();
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(); // no length: the body ends at EOF
        for (int b; (b = readByte()) != -1; ) {
            body.write(b);
        }
        return body.toByteArray();
    }

    private byte[] readExactly(int count) throws IOException {
        byte[] bytes = new byte[count];
        for (int i = 0; i < count; i++) {
            int b = readByte();
            if (b == -1) {
                throw new EOFException("EOF after " + i + " of " + count + " body bytes");
            }
            bytes[i] = (byte) b;
        }
        return bytes;
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = readByte();
            if (b == -1) {
                throw new EOFException("EOF in the middle of the response head");
            }
            if (b == '\n') {
                int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
            }
            line.append((char) b);
        }
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b != -1) {
            responseBytes++;
        }
        return b;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // Nothing left to do with it.
        }
    }
}
