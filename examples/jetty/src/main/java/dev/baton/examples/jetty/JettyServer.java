package dev.baton.examples.jetty;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.baton.child.Addresses;
import dev.baton.child.Baton;
import dev.baton.child.InflightTracker;
import dev.baton.child.Listener;

/**
 * The hello service again, on Jetty 12 instead of Netty: a mainstream HTTP server that adopts
 * the listening sockets baton hands it. Each listener becomes a JDK {@link ServerSocketChannel}
 * given to a {@link ServerConnector} with {@code open(channel)}, so Jetty binds nothing.
 * {@link #main} is the whole integration with baton: connect, serve, register the drain and the
 * close hooks, say ready.
 *
 * <pre>
 *   java -jar jetty.jar                                   # alone, on 127.0.0.1:8080
 *   BATON_LISTEN=127.0.0.1:18080 java -jar jetty.jar      # alone, elsewhere
 *   batond --listen 127.0.0.1:8080 -- java -jar jetty.jar # under batond
 * </pre>
 *
 * <p>{@link Listener#serverSocketChannel()} needs {@code --add-opens java.base/sun.nio.ch} and
 * {@code java.base/java.io}: the jar's manifest carries them as {@code Add-Opens}.
 */
public final class JettyServer implements AutoCloseable {
    static final Logger LOG = LoggerFactory.getLogger(JettyServer.class);

    /** Enough for a demo under load on a small machine; requests here never block a thread. */
    static final int MAX_THREADS = 32;
    static final int MIN_THREADS = 4;

    private final Server server;
    private final JettyDrain drain;
    private final List<InetSocketAddress> addresses;

    private JettyServer(Server server, JettyDrain drain, List<InetSocketAddress> addresses) {
        this.server = server;
        this.drain = drain;
        this.addresses = List.copyOf(addresses);
    }

    /** Connects to whatever supervisor started it (or binds 127.0.0.1:8080 alone), serves, says ready; exits 1 with one line if it cannot. */
    public static void main(String[] args) {
        try {
            Baton baton = Baton.connect("127.0.0.1:8080");
            JettyServer server = start(baton.listeners(), baton.generation());
            server.closeWith(baton);
            baton.ready();
        } catch (Exception e) {
            // Port in use, bad BATON_LISTEN, refused handoff, missing --add-opens: the message says which.
            LOG.error("cannot start: {}", e.getMessage());
            System.exit(1);
        }
    }

    /**
     * Serves on the listeners (adopted as they are, never bound) and returns once every one of
     * them is accepting. The caller still has to report ready.
     */
    public static JettyServer start(List<Listener> listeners, int generation) throws Exception {
        long pid = ProcessHandle.current().pid();
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, MIN_THREADS);
        threads.setName("jetty");
        Server server = new Server(threads);
        InflightTracker inflight = new InflightTracker();
        AfterDrain afterDrain = new AfterDrain();
        server.setHandler(new InflightHandler(inflight, new HelloHandler(generation, pid, afterDrain)));
        List<CountingConnector> connectors = new ArrayList<>();
        List<ServerSocketChannel> channels = new ArrayList<>();
        List<InetSocketAddress> addresses = new ArrayList<>();
        try {
            for (Listener listener : listeners) {
                ServerSocketChannel channel = listener.serverSocketChannel();
                channels.add(channel);
                CountingConnector connector = new CountingConnector(server);
                connector.setName(listener.name());
                connector.open(channel); // adopt the listening socket: no bind, no listen
                server.addConnector(connector);
                connectors.add(connector);
                addresses.add((InetSocketAddress) channel.getLocalAddress());
            }
            JettyDrain drain = new JettyDrain(connectors, channels, inflight, afterDrain);
            server.start();
            LOG.info("serving generation={} pid={} on {}", generation, pid,
                    addresses.stream().map(Addresses::format).collect(Collectors.joining(",")));
            return new JettyServer(server, drain, addresses);
        } catch (Exception e) {
            for (ServerSocketChannel channel : channels) {
                closeQuietly(channel);
            }
            server.stop();
            throw e;
        }
    }

    /** Joins baton's drain; on the way out stops the server (and its threads). */
    public void closeWith(Baton baton) {
        baton.onDrain(drain);
        baton.onClose("server", this::closeServer);
    }

    /** The drain participant: stop accepting, wait for in-flight requests and open connections. */
    JettyDrain drain() {
        return drain;
    }

    /** Where it is serving, as bound (a port-0 listener shows its real port here). */
    public List<InetSocketAddress> addresses() {
        return addresses;
    }

    /** Stops Jetty, closing any connection still open, then logs what this process served. */
    public void closeServer() throws Exception {
        server.stop();
        LOG.info("server closed served={}", drain.served());
    }

    /** {@link #closeServer()}, for use without baton (tests). */
    @Override
    public void close() throws Exception {
        closeServer();
    }

    private static void closeQuietly(ServerSocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // Already failing: the first error is the one to report.
        }
    }
}
