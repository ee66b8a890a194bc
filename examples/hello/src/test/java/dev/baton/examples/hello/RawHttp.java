package dev.baton.examples.hello;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * One client TCP connection speaking just enough HTTP/1.1 to see what a test needs to see:
 * which connection a response came on, its headers, and when the server closed.
 */
final class RawHttp implements AutoCloseable {
    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase());
        }
    }

    private final Socket socket;
    private final InputStream in;

    RawHttp(InetSocketAddress address) throws IOException {
        socket = new Socket(address.getAddress(), address.getPort());
        socket.setSoTimeout(10_000); // a safety net only: tests wait on responses and EOF
        in = socket.getInputStream();
    }

    void send(String path, String... extraHeaders) throws IOException {
        StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: test\r\n");
        for (String header : extraHeaders) {
            request.append(header).append("\r\n");
        }
        socket.getOutputStream().write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
    }

    Response get(String path, String... extraHeaders) throws IOException {
        send(path, extraHeaders);
        return read();
    }

    Response read() throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("server closed the connection before any response byte");
        }
        Map<String, String> headers = new HashMap<>();
        for (String line = line(); !line.isEmpty(); line = line()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(), line.substring(colon + 1).trim());
        }
        byte[] body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        return new Response(Integer.parseInt(statusLine.split(" ")[1]), headers,
                new String(body, StandardCharsets.UTF_8));
    }

    /** Bytes that have arrived and not been read yet: 0 while the server has not answered. */
    int unread() throws IOException {
        return in.available();
    }

    /** True when the server closed cleanly (FIN) with nothing more to read. */
    boolean closedByServer() throws IOException {
        return in.read() == -1;
    }

    private String line() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b == -1) {
                return bytes.size() == 0 ? null : bytes.toString(StandardCharsets.US_ASCII);
            }
            if (b != '\r') {
                bytes.write(b);
            }
        }
        return bytes.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
