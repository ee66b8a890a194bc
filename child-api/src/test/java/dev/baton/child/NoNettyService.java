package dev.baton.child;

import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * A child on the JDK channel alone, run by {@link WithoutNettyTest} in a JVM with no Netty on
 * its class path: binds, serves probes, says ready, and drains on SIGTERM.
 */
final class NoNettyService {
    private NoNettyService() {}

    public static void main(String[] args) throws Exception {
        Baton baton = Baton.connect("127.0.0.1:0");
        ServerSocketChannel server = baton.listener().serverSocketChannel();
        InflightTracker inflight = new InflightTracker();
        baton.onDrain(Drainable.of(server, inflight));
        ProbeServer probes = baton.serveProbes("127.0.0.1:0");
        baton.readinessCheck("always", () -> true);
        baton.ready();
        System.out.println("no-netty ready port=" + server.socket().getLocalPort() + " probes="
                + probes.address().getPort());
        System.out.flush();
        while (true) {
            try (SocketChannel client = inflight.accept(server::accept)) {
                inflight.end();
            } catch (ClosedChannelException draining) {
                return;
            }
        }
    }
}
