package dev.baton.nativetest;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;

/**
 * A minimal HTTP client of one {@link ClientKind}, behaving as ordinary clients do.
 *
 * <p>KEEP_ALIVE reuses one connection and honours {@code Connection: close} by reconnecting for
 * the next request. If a <em>reused</em> connection is closed before any byte of the response
 * arrived, the request is retried exactly once on a fresh connection. A failure on a fresh
 * connection, or after part of the response, is reported as it is.
 */
final class HttpProbe implements Closeable {
    private final int port;
    private final ClientKind kind;
    private final Duration readTimeout;
    private volatile HttpConnection connection; // KEEP_ALIVE only
    private volatile long retries;

    HttpProbe(int port, ClientKind kind) {
        this(port, kind, HttpConnection.READ_TIMEOUT);
    }

    /** A client whose reads wait at most {@code readTimeout} (longer when answers may wait for a new child). */
    HttpProbe(int port, ClientKind kind, Duration readTimeout) {
        this.port = port;
        this.kind = kind;
        this.readTimeout = readTimeout;
    }

    /** A single {@code GET path} on its own connection. */
    static HttpResponse get(int port, String path) throws IOException {
        try (HttpProbe probe = new HttpProbe(port, ClientKind.NEW_CONNECTION)) {
            return probe.get(path);
        }
    }

    ClientKind kind() {
        return kind;
    }

    /** How many requests were retried after a reused connection was closed under them. */
    long retries() {
        return retries;
    }

    HttpResponse get(String path) throws IOException {
        return kind == ClientKind.NEW_CONNECTION ? getOnNewConnection(path) : getKeepAlive(path);
    }

    private HttpResponse getOnNewConnection(String path) throws IOException {
        try (HttpConnection fresh = HttpConnection.open(port, readTimeout)) {
            fresh.send(path, false);
            return fresh.readResponse();
        }
    }

    private HttpResponse getKeepAlive(String path) throws IOException {
        if (connection == null) {
            connection = HttpConnection.open(port, readTimeout);
        }
        boolean reused = connection.reused();
        try {
            return exchange(path);
        } catch (ClosedBeforeResponseException e) {
            if (!reused) {
                throw e;
            }
            retries++;
            connection = HttpConnection.open(port, readTimeout);
            return exchange(path);
        }
    }

    /** One request on {@link #connection}; drops the connection if it failed or the server closes it. */
    private HttpResponse exchange(String path) throws IOException {
        try {
            connection.send(path, true);
            HttpResponse response = connection.readResponse();
            if (response.closesConnection()) {
                dropConnection();
            }
            return response;
        } catch (IOException | RuntimeException e) {
            dropConnection();
            throw e;
        }
    }

    private void dropConnection() {
        HttpConnection current = connection;
        if (current != null) {
            current.close();
            connection = null;
        }
    }

    @Override
    public void close() {
        dropConnection();
    }
}
