package dev.baton.examples.hello;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.baton.child.Addresses;
import dev.baton.child.Baton;
import dev.baton.child.Listener;
import dev.baton.child.NettyChannels;
import dev.baton.child.Readiness;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * A small HTTP/1.1 service on Netty (epoll, or NIO where epoll is not available) that serves
 * on the listeners baton hands it and drains on SIGTERM. {@link #main} is the whole
 * integration with baton: connect, serve, register the drain, the resources and a readiness
 * check, say ready. {@code /ready} and {@code /live} are the Kubernetes probes.
 *
 * <pre>
 *   java -jar hello.jar                                   # alone, on 127.0.0.1:8080
 *   BATON_LISTEN=127.0.0.1:18080 java -jar hello.jar      # alone, elsewhere
 *   batond --listen 127.0.0.1:8080 -- java -jar hello.jar # under batond
 *   HELLO_PROBES=0.0.0.0:8081 java -jar hello.jar          # probes on their own port too (Kubernetes)
 *   HELLO_WARMUP_REQUESTS=1000 java -jar hello.jar         # answer GET / 1000 times on a private port before READY
 *   HELLO_WARMUP_REQUESTS=5000 HELLO_WARMUP_JIT_IDLE_S=30 java -jar hello.jar # then on until the JIT is idle (30 s at most)
 *   HELLO_START_CPU_MS=3000 HELLO_START_CPU_THREADS=2 java -jar hello.jar # a slow start (bench/run --slow-start)
 * </pre>
 *
 * {@code HELLO_WARMUP_REQUESTS=N} (default 0, at most 1,000,000) registers a warm-up with
 * {@link Baton#warmUp(int, dev.baton.child.WarmUpTask)}: at least N {@code GET /}, in rounds of two
 * connections per event loop and one more ({@link #warmUpConnections}), opened together, each
 * with a keep-alive request and then one with {@code Connection: close}, to a private loopback
 * port served by the same loops, pipeline and handler as the listeners ({@link LoopbackWarmUp}),
 * never through the listener, and runs it ({@link Baton#warmUpNow})
 * before the listeners accept: no client meets the new process cold. {@code HELLO_WARMUP_JIT_IDLE_S=S}
 * (default 0: off, at most 600) goes on with such rounds until the JIT is idle, at most S
 * seconds ({@link Baton#warmUpUntilJitIdle}): the first second after READY then runs compiled code
 * instead of waiting for C2 (bench/run --slow-start's warm-up runs).
 *
 * {@code HELLO_START_CPU_MS} (default 0: off) and {@code HELLO_START_CPU_THREADS} (default 1) make
 * the start burn that much CPU time on that many threads ({@link StartCpuBurn}) after the
 * listeners arrived and before it serves on them, warms up and says READY: a service that is slow
 * to start. The burn counts as start, not warm-up, in batond's split of the time to READY.
 */
public final class HelloServer implements AutoCloseable {
    static final Logger LOG = LoggerFactory.getLogger(HelloServer.class);

    /** Requests here are GETs; anything bigger than this is not one of ours. */
    static final int MAX_REQUEST_BYTES = 64 * 1024;

    private final EventLoopGroup acceptLoop;
    private final EventLoopGroup ioLoops;
    private final ConnectionTracker connections;
    private final List<InetSocketAddress> addresses = new ArrayList<>();
    private final int generation;
    private final long pid = ProcessHandle.current().pid();
    private final Supplier<Readiness.Verdict> readiness;
    private final HelloHandler handler;

    private HelloServer(EventLoopGroup acceptLoop, EventLoopGroup ioLoops, int generation,
            Supplier<Readiness.Verdict> readiness) {
        this.generation = generation;
        this.readiness = readiness;
        this.connections = new ConnectionTracker();
        this.handler = new HelloHandler(generation, pid, readiness);
        this.acceptLoop = acceptLoop;
        this.ioLoops = ioLoops;
    }

    public static void main(String[] args) {
        try {
            StartCpuBurn burn = StartCpuBurn.fromEnvironment(System.getenv());
            int warmUpRequests = WarmUpSettings.count(System.getenv(WarmUpSettings.REQUESTS_VARIABLE));
            Duration jitIdleAtMost = WarmUpSettings.jitIdleAtMost(System.getenv(WarmUpSettings.JIT_IDLE_VARIABLE));
            Baton baton = Baton.connect("127.0.0.1:8080");
            // After the listeners arrived, before serving on them: a service that is slow to start
            // (under batond the serving generation takes the connections meanwhile).
            startBurn(burn);
            HelloServer server = create(baton.generation(), baton.readiness()::verdict);
            List<ServerSocketChannel> listeners = channels(baton.listeners());
            if (warmUpRequests > 0 || jitIdleAtMost != null) {
                // Before the listeners accept: meanwhile the serving generation takes every
                // connection, and this one's first client meets compiled code. Over a private
                // loopback port on the very loops, pipeline and classes that will serve: code the
                // JIT compiled for anything else (an in-process channel, other threads) is thrown
                // away at the first real request, and that cost tens of milliseconds after READY.
                LoopbackWarmUp loopback = server.loopbackWarmUp();
                // Rounds of several requests: at least the number asked for.
                int perCall = loopback.requestsPerCall();
                int rounds = (warmUpRequests + perCall - 1) / perCall;
                LOG.info("warm-up: {} round(s) of {} requests, then {}", rounds, perCall,
                        jitIdleAtMost == null ? "READY" : "more until the JIT is idle (at most " + jitIdleAtMost.toSeconds() + " s)");
                baton.warmUp(rounds, loopback::call);
                if (jitIdleAtMost != null) {
                    baton.warmUpUntilJitIdle(jitIdleAtMost, loopback::call);
                }
                baton.warmUpNow();
            }
            server.serveChannels(listeners);
            server.closeWith(baton);
            baton.readinessCheck("event-loops", () -> !server.ioLoops.isShuttingDown());
            String probes = System.getenv("HELLO_PROBES");
            if (probes != null && !probes.isBlank()) {
                // Answers 503 on /ready through the whole drain, after the service port has closed.
                LOG.info("probes on {}", Addresses.format(baton.serveProbes(probes.trim()).address()));
            }
            baton.ready();
        } catch (IOException | RuntimeException e) {
            // Port in use, bad BATON_LISTEN, refused handoff, a failed warm-up: the message says which.
            LOG.error("cannot start: {}", e.getMessage());
            System.exit(1);
        } catch (InterruptedException e) {
            System.exit(1);
        }
    }

    private static void startBurn(StartCpuBurn burn) throws InterruptedException {
        if (burn.on()) {
            StartCpuBurn.Done done = burn.run();
            LOG.info("start burned {} ms of CPU on {} threads in {} ms (digest {})", burn.millis(), burn.threads(),
                    done.wallMillis(), Long.toHexString(done.digest()));
        }
    }

    /**
     * Serves on the listeners (adopted as they are: registered, never bound) and returns once
     * every one of them is accepting. The caller still has to report ready.
     */
    public static HelloServer start(List<Listener> listeners, int generation, Supplier<Readiness.Verdict> readiness)
            throws InterruptedException {
        HelloServer server = create(generation, readiness);
        server.serve(listeners);
        return server;
    }

    /** The server's loops, connection tracking and handler, serving on nothing yet. */
    static HelloServer create(int generation, Supplier<Readiness.Verdict> readiness) {
        // Epoll where Netty's native transport works, NIO elsewhere; channels and loops must match.
        EventLoopGroup acceptLoop = NettyChannels.eventLoopGroup(1, new DefaultThreadFactory("hello-accept"));
        EventLoopGroup ioLoops = NettyChannels.eventLoopGroup(0, new DefaultThreadFactory("hello-io"));
        return new HelloServer(acceptLoop, ioLoops, generation, readiness);
    }

    /**
     * The listeners as unregistered channels of the transport the loops use. hello makes them
     * before its warm-up: the native calls this takes (fcntl through jnr) load their classes
     * then, and not between the warm-up and READY, where a class loaded can throw away code the
     * warm-up compiled.
     */
    static List<ServerSocketChannel> channels(List<Listener> listeners) {
        return listeners.stream().map(Listener::nettyServerChannel).toList();
    }

    /** Registers the listeners; on failure closes everything, this server included. */
    void serve(List<Listener> listeners) throws InterruptedException {
        serveChannels(channels(listeners));
    }

    /** Registers the listeners' channels ({@link #channels}); on failure closes everything, this server included. */
    void serveChannels(List<ServerSocketChannel> listeners) throws InterruptedException {
        try {
            for (ServerSocketChannel listener : listeners) {
                Channel server = bootstrap(acceptLoop, ioLoops, connections, handler)
                        .channelFactory(() -> listener)
                        // bind() would fail with EINVAL on the already listening socket and close it.
                        .register().sync().channel();
                connections.serving(server);
                addresses.add((InetSocketAddress) server.localAddress());
            }
        } catch (InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("serving generation={} pid={} on {} ({})", generation, pid,
                addresses.stream().map(Addresses::format).collect(Collectors.joining(",")),
                NettyChannels.epollAvailable() ? "epoll" : "nio");
    }

    /**
     * A private server on 127.0.0.1, port 0, on this server's loops, with its pipeline and a
     * handler of its own (warm-up requests are not counted as served): what the warm-up calls.
     */
    LoopbackWarmUp loopbackWarmUp() {
        return LoopbackWarmUp.over(bootstrap(acceptLoop, ioLoops, new ConnectionTracker(),
                new HelloHandler(generation, pid, readiness)), warmUpConnections(ioLoopCount()));
    }

    /**
     * Connections in one warm-up round: twice the loops and one more, so that each loop serves two
     * or three at once, as under real traffic. With one a loop, a loop's map of its channels never
     * held two, and at the first real connection's close after READY Netty's IntObjectHashMap.removeAt
     * took a branch the warm-up never had: the compiled close path was thrown away there and
     * compiled again by C2 over the next second (-XX:+LogCompilation). Odd, so that each round's
     * round robin starts on another loop.
     */
    static int warmUpConnections(int loops) {
        return 2 * loops + 1;
    }

    int ioLoopCount() {
        int loops = 0;
        for (io.netty.util.concurrent.EventExecutor ignored : ioLoops) {
            loops++;
        }
        return loops;
    }

    /** How a server channel is set up, for the listeners and the warm-up alike; without its channel. */
    private static ServerBootstrap bootstrap(EventLoopGroup acceptLoop, EventLoopGroup ioLoops,
            ConnectionTracker connections, HelloHandler hello) {
        return new ServerBootstrap()
                .group(acceptLoop, ioLoops)
                .handler(connections.acceptHandler())
                .childHandler(pipeline(connections, hello));
    }

    /** What every accepted connection runs: HTTP codec, aggregator, connection tracking, the handler. */
    static ChannelInitializer<SocketChannel> pipeline(ConnectionTracker connections, HelloHandler hello) {
        return new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel channel) {
                channel.pipeline().addLast(
                        new HttpServerCodec(),
                        new HttpObjectAggregator(MAX_REQUEST_BYTES),
                        new Connection(connections),
                        hello);
            }
        };
    }

    /**
     * Joins baton's drain. Resources close in reverse order of registration: the event loops
     * are registered first so that they close last, after the server that runs on them.
     */
    public void closeWith(Baton baton) {
        baton.onDrain(connections);
        baton.onClose("event-loops", this::closeEventLoops);
        baton.onClose("server", this::closeServer);
    }

    /** The drain participant: stop accepting, wait for open connections, count served requests. */
    public ConnectionTracker connections() {
        return connections;
    }

    /** Where it is serving, as bound (a port-0 listener shows its real port here). */
    public List<InetSocketAddress> addresses() {
        return List.copyOf(addresses);
    }

    /** Closes listeners and any connection still open, then logs what this process served. */
    public void closeServer() {
        connections.closeAll();
        LOG.info("server closed served={}", connections.served());
    }

    public void closeEventLoops() throws InterruptedException {
        // No quiet period: by now nothing is left to serve, and batond is waiting for the exit.
        acceptLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        ioLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** Both steps of the close, for use without baton (tests). */
    @Override
    public void close() throws InterruptedException {
        closeServer();
        closeEventLoops();
    }
}
