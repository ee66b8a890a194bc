package dev.baton.child;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The README's child example, compiled here so that it stays correct; ReadmeExampleTest compares. */
final class ReadmeExample {
    private ReadmeExample() {}

    static void handle(SocketChannel client) throws IOException {
        client.write(java.nio.ByteBuffer.wrap("HTTP/1.1 204 No Content\r\n\r\n".getBytes()));
    }

    // README-START
    public static void main(String[] args) throws Exception {
        Baton baton = Baton.connect("127.0.0.1:8080");      // the address is bound only when run alone
        ServerSocketChannel server = baton.listener().serverSocketChannel();
        InflightTracker inflight = new InflightTracker();
        ExecutorService workers = Executors.newFixedThreadPool(16);
        baton.onDrain(Drainable.of(server, inflight));       // SIGTERM: stop accepting, wait for in-flight work
        baton.onClose("workers", workers::shutdown);         // then close resources, last registered first; exit 0
        baton.ready();                                       // batond may now drain the previous generation
        while (true) {
            SocketChannel client;
            try { client = inflight.accept(server::accept); } catch (ClosedChannelException draining) { return; }
            workers.execute(() -> { try (client) { handle(client); } catch (IOException e) { } finally { inflight.end(); } });
        }
    }
    // README-END
}
