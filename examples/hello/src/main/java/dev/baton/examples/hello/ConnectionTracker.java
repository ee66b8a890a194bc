package dev.baton.examples.hello;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import dev.baton.child.Drainable;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The server's part in baton's drain, stage by stage:
 * <ol>
 *   <li>{@link #stopAccepting()} closes this process's copy of each listening socket (other
 *       generations keep theirs, and the kernel's accept queue with them) and tells every open
 *       {@link Connection} that its responses now say {@code Connection: close};</li>
 *   <li>{@link #awaitIdle(Instant)} waits until no request is in flight;</li>
 *   <li>{@link #closeIdle(Instant)} closes the keep-alive connections left idle and waits until
 *       every connection this process accepted is closed;</li>
 *   <li>{@link #abandon()}, past the deadline, names and closes whatever is still open.</li>
 * </ol>
 *
 * <p>Connections are counted when the accept loop hands them out, not when their worker
 * registers them, so one accepted just before the listener closed is waited for too.
 */
public final class ConnectionTracker implements Drainable {
    /** How long stage 1 waits for one connection's event loop to take note of the drain. */
    private static final Duration STAGE_STEP = Duration.ofSeconds(1);

    private final List<Channel> servers = new CopyOnWriteArrayList<>();
    private final Set<Channel> open = new HashSet<>(); // guarded by this
    private long inflight;                               // guarded by this
    private final AtomicLong served = new AtomicLong();
    private final ChannelHandler acceptHandler = new AcceptHandler();

    /** Goes on each server channel: sees every accepted connection before it is registered. */
    ChannelHandler acceptHandler() {
        return acceptHandler;
    }

    void serving(Channel server) {
        servers.add(server);
    }

    @Override
    public void stopAccepting() {
        // Closing a listening channel only closes our descriptor (Netty deregisters it from
        // epoll, then close(2), never shutdown(2)), so other holders of the socket keep serving.
        // Once the close is done on the accept loop, every connection it accepted is in `open`.
        servers.forEach(server -> server.close().syncUninterruptibly());
        List<io.netty.util.concurrent.Future<?>> told = new ArrayList<>();
        for (Channel channel : openConnections()) {
            // Queued behind the channel's registration on its own event loop, so the
            // Connection handler is in place; absent only when the channel has closed since.
            told.add(channel.eventLoop().submit(() -> {
                Connection connection = channel.pipeline().get(Connection.class);
                if (connection != null) {
                    connection.drain();
                }
            }));
        }
        // Once this returns, every response says Connection: close (a loop may run a request it
        // had already read before our task; waiting here makes "from now on" true).
        told.forEach(f -> f.awaitUninterruptibly(STAGE_STEP.toMillis()));
    }

    /** Stage 2: no request in flight. */
    @Override
    public synchronized boolean awaitIdle(Instant deadline) throws InterruptedException {
        while (inflight > 0) {
            long millis = Duration.between(Instant.now(), deadline).toMillis();
            if (millis <= 0) {
                return false;
            }
            wait(millis);
        }
        return true;
    }

    /**
     * Stage 3: closes the idle connections and waits until every connection is closed. Returns
     * how many were idle (not already closing, not answering a request that arrived late).
     */
    @Override
    public int closeIdle(Instant deadline) throws InterruptedException {
        List<Future<Boolean>> closing = new ArrayList<>();
        for (Channel channel : openConnections()) {
            closing.add(channel.eventLoop().submit(() -> {
                Connection connection = channel.pipeline().get(Connection.class);
                return connection != null && connection.closeIfIdle();
            }));
        }
        int count = 0;
        for (Future<Boolean> idle : closing) {
            try {
                long millis = Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
                count += idle.get(millis, TimeUnit.MILLISECONDS) ? 1 : 0;
            } catch (ExecutionException | TimeoutException e) {
                // the connection's loop is gone or busy past the deadline: abandon() names it
            }
        }
        synchronized (this) {
            while (!open.isEmpty()) {
                long millis = Duration.between(Instant.now(), deadline).toMillis();
                if (millis <= 0) {
                    break;
                }
                wait(millis);
            }
        }
        return count;
    }

    /** Past the deadline: every connection still open, with the request it was answering, then closed. */
    @Override
    public List<String> abandon() {
        List<String> left = new ArrayList<>();
        for (Channel channel : openConnections()) {
            Connection connection = channel.pipeline().get(Connection.class);
            String request = connection == null ? null : connection.currentRequest();
            left.add((request == null ? "idle connection" : request) + " from " + channel.remoteAddress());
            channel.close().syncUninterruptibly();
        }
        return left;
    }

    /** Responses written in full. */
    @Override
    public long served() {
        return served.get();
    }

    /** Requests received and not yet answered. */
    @Override
    public synchronized long inflight() {
        return inflight;
    }

    /** Connections accepted and not yet closed. */
    public synchronized int connections() {
        return open.size();
    }

    /** Closes the listeners and, past the drain deadline, whatever connection is still open. */
    void closeAll() {
        servers.forEach(server -> server.close().syncUninterruptibly());
        openConnections().forEach(channel -> channel.close().syncUninterruptibly());
    }

    synchronized void requestStarted() {
        inflight++;
    }

    synchronized void requestEnded(boolean written) {
        inflight--;
        if (written) {
            served.incrementAndGet();
        }
        if (inflight == 0) {
            notifyAll();
        }
    }

    private synchronized List<Channel> openConnections() {
        return new ArrayList<>(open);
    }

    private synchronized void accepted(Channel channel) {
        open.add(channel);
    }

    private synchronized void closed(Channel channel) {
        open.remove(channel);
        if (open.isEmpty()) {
            notifyAll();
        }
    }

    @Sharable
    private final class AcceptHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel child = (Channel) msg;
            accepted(child);
            child.closeFuture().addListener(f -> closed(child));
            ctx.fireChannelRead(child); // on to ServerBootstrap's acceptor, which registers it
        }
    }
}
