package dev.baton.nativetest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A throwaway HTTP server on 127.0.0.1 for testing the load client itself: connection number k
 * (from 0) is handled by {@code scripts.get(k)}, so a test decides exactly when a connection is
 * answered, closed or cut. Connections beyond the list are closed at once.
 */
final class ScriptedHttpServer implements AutoCloseable {
    /** What the server does on one connection. */
    interface Script {
        void run(Socket socket, BufferedReader in, OutputStream out) throws IOException;
    }

    private final ServerSocket server;
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;

    ScriptedHttpServer(List<Script> scripts) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            try {
                while (true) {
                    Socket socket = server.accept();
                    int index = accepted.getAndIncrement();
                    Thread handler = new Thread(() -> handle(socket, index < scripts.size() ? scripts.get(index) : null));
                    handler.setDaemon(true);
                    handler.start();
                }
            } catch (IOException e) {
                // closed
            }
        }, "scripted-http-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private static void handle(Socket socket, Script script) {
        try (socket) {
            if (script != null) {
                script.run(socket, new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.US_ASCII)), socket.getOutputStream());
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    int port() {
        return server.getLocalPort();
    }

    int accepted() {
        return accepted.get();
    }

    /** Reads one request head; false on EOF. */
    static boolean readRequest(BufferedReader in) throws IOException {
        String line = in.readLine();
        if (line == null) {
            return false;
        }
        while (line != null && !line.isEmpty()) {
            line = in.readLine();
        }
        return true;
    }

    static void respond(OutputStream out, String body, boolean close) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + bytes.length + "\r\n"
                + (close ? "Connection: close\r\n" : "") + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
