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

/**
 * One raw HTTP/1.1 connection to 127.0.0.1: writes a GET, reads one response with a
 * Content-Length body (what examples/hello sends). Connect and reads are bounded by timeouts.
 */
final class HttpClientConnection implements Closeable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] request;
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

    /** Sends the GET and reads the answer; returns whether the server keeps the connection open. */
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
        for (long i = 0; i < length; i++) {
            if (in.read() == -1) {
                throw new EOFException("EOF after " + i + " of " + length + " body bytes");
            }
        }
        responses++;
        return new Response(status, close);
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

    /** A status and whether the server will close the connection after it. */
    record Response(int status, boolean closesConnection) {}
}
