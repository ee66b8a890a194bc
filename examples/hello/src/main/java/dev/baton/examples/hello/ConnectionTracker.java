package dev.baton.examples.hello;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import dev.baton.child.Drainable;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The server's part in baton's drain. {@link #stopAccepting()} closes this process's copy of
 * each listening socket (other generations keep theirs, and the kernel's accept queue with
 * them) and asks every open {@link Connection} to finish; {@link #awaitIdle(Instant)} waits
 * until every connection this process accepted is closed.
 *
 * <p>Connections are counted when the accept loop hands them out, not when their worker
 * registers them, so one accepted just before the listener closed is waited for too.
 */
public final class ConnectionTracker implements Drainable {
    private final List<Channel> servers = new CopyOnWriteArrayList<>();
    private final Set<Channel> open = new HashSet<>(); // guarded by this
    private final AtomicLong inflight = new AtomicLong();
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
        for (Channel channel : openConnections()) {
            // Queued behind the channel's registration on its own event loop, so the
            // Connection handler is in place; absent only when the channel has closed since.
            channel.eventLoop().execute(() -> {
                Connection connection = channel.pipeline().get(Connection.class);
                if (connection != null) {
                    connection.drain();
                }
            });
        }
    }

    @Override
    public synchronized boolean awaitIdle(Instant deadline) throws InterruptedException {
        while (!open.isEmpty()) {
            long millis = Duration.between(Instant.now(), deadline).toMillis();
            if (millis <= 0) {
                return false;
            }
            wait(millis);
        }
        return true;
    }

    /** Responses written in full. */
    @Override
    public long served() {
        return served.get();
    }

    /** Requests received and not yet answered. */
    public long inflight() {
        return inflight.get();
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

    void requestStarted() {
        inflight.incrementAndGet();
    }

    void requestEnded(boolean written) {
        inflight.decrementAndGet();
        if (written) {
            served.incrementAndGet();
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
