package dev.baton.child;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import dev.baton.protocol.Addresses;
import dev.baton.protocol.Frame;
import dev.baton.protocol.Keys;

/**
 * The child's link to whichever batond supervises it now. Frames (READY, stats, DRAINED) go over
 * the current handoff connection, or are dropped when there is none: a batond that died must not
 * throw into the service. Its "baton-handoff" thread reads what batond sends (SEND_LISTENERS is
 * answered with the listeners' descriptors) and, when batond goes away unplanned, keeps the child
 * serving on its listeners and reconnects to the handoff socket's path with {@code RESUME=1} until
 * a new batond keeps the connection. Once the drain has begun it no longer reconnects.
 */
final class BatondLink implements FrameSender {
    static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** While reconnecting keeps failing, one line per this at most. */
    static final Duration LOG_INTERVAL = Duration.ofMinutes(1);

    private final String socketPath;
    private final String token;
    private final int generation;
    private final List<Listener> listeners;
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    private final LongSupplier nanoClock = System::nanoTime;
    private final Object wake = new Object();
    private volatile Handoff current;     // null while orphaned
    private volatile BooleanSupplier draining = () -> false;
    private volatile boolean closed;
    private String lastError = "";        // the last failed reconnect's; the handoff thread's only

    BatondLink(Handoff first, String socketPath, String token, int generation, List<Listener> listeners) {
        this(first, socketPath, token, generation, listeners, FIRST_BACKOFF, MAX_BACKOFF);
    }

    /** With the reconnect backoff given: tests shorten it. */
    BatondLink(Handoff first, String socketPath, String token, int generation, List<Listener> listeners,
            Duration firstBackoff, Duration maxBackoff) {
        this.current = first;
        this.socketPath = socketPath;
        this.token = token;
        this.generation = generation;
        this.listeners = List.copyOf(listeners);
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
    }

    /** Starts the "baton-handoff" thread; {@code draining} tells it when the drain has begun. */
    void start(BooleanSupplier draining) {
        this.draining = draining;
        Thread reader = new Thread(this::run, "baton-handoff");
        reader.setDaemon(true);
        reader.start();
    }

    /** Sends on the current connection; dropped (one debug line) when there is none or it fails. */
    @Override
    public void send(Frame frame) {
        Handoff h = current;
        if (h == null) {
            Baton.LOG.log(Level.DEBUG, "baton: no batond, dropped " + frame);
            return;
        }
        try {
            h.send(frame);
        } catch (IOException | RuntimeException e) {
            Baton.LOG.log(Level.DEBUG, "baton: dropped " + frame + ": " + e.getMessage());
        }
    }

    /** The last frame is out: closes the connection, and the thread ends without reconnecting. */
    @Override
    public void close() {
        closed = true;
        synchronized (wake) {
            wake.notifyAll();
        }
        Handoff h = current;
        current = null;
        closeQuietly(h);
    }

    private boolean stopping() {
        return closed || draining.getAsBoolean();
    }

    private void run() {
        Handoff h = current;
        // batond spoke on this connection (the first one brought LISTENERS): its end is batond
        // going away. A resumed connection that ends before batond said anything was refused.
        boolean heard = true;
        long orphanedSince = 0;
        long lastLine = 0;
        boolean announced = false;          // the "reconnected" line of this orphaned spell is out
        long backoff = firstBackoff.toNanos();  // a refused resume keeps doubling it
        while (h != null) {
            String reason;
            try {
                while (true) {
                    Handoff.Received received = h.receive();
                    heard = true;
                    answer(h, received);
                }
            } catch (IOException | RuntimeException e) {
                reason = e.getMessage();
            }
            if (current == h) {
                current = null;
            }
            closeQuietly(h);
            if (stopping()) {
                return;
            }
            long now = nanoClock.getAsLong();
            if (heard) {
                orphanedSince = now;
                lastLine = now;
                announced = false;
                backoff = firstBackoff.toNanos();
                Baton.LOG.log(Level.WARNING, "baton: batond went away (" + reason + "): serving on orphaned; "
                        + "reconnecting to " + socketPath);
            } else if (now - lastLine >= LOG_INTERVAL.toNanos()) {
                lastLine = now;
                Baton.LOG.log(Level.WARNING, stillOrphaned(now - orphanedSince, "refused: " + reason));
            }
            h = null;
            while (h == null) {
                if (!pause(backoff)) {
                    return;
                }
                backoff = Math.min(backoff * 2, maxBackoff.toNanos());
                h = resume();
                if (h == null && (now = nanoClock.getAsLong()) - lastLine >= LOG_INTERVAL.toNanos()) {
                    lastLine = now;
                    Baton.LOG.log(Level.WARNING, stillOrphaned(now - orphanedSince, lastError));
                }
            }
            heard = false;
            current = h;
            if (closed) {           // close() may have missed it
                current = null;
                closeQuietly(h);
                return;
            }
            now = nanoClock.getAsLong();
            if (!announced || now - lastLine >= LOG_INTERVAL.toNanos()) {
                announced = true;
                lastLine = now;
                Baton.LOG.log(Level.INFO, "baton: reconnected to batond at " + socketPath + " (RESUME sent)");
            } else {
                Baton.LOG.log(Level.DEBUG, "baton: reconnected to batond at " + socketPath + " (RESUME sent)");
            }
        }
    }

    /** Connects and sends the resuming HELLO; null (and {@link #lastError}) when that fails. */
    private Handoff resume() {
        Handoff h = null;
        try {
            h = Handoff.connect(socketPath);
            h.send(Frame.of(Keys.BATON, "1", Keys.TOKEN, token, Keys.PID, Long.toString(ProcessHandle.current().pid()),
                    Keys.RESUME, "1", Keys.GENERATION, Integer.toString(generation)));
            return h;
        } catch (IOException | RuntimeException e) {
            closeQuietly(h);
            lastError = e.getMessage();
            return null;
        }
    }

    private String stillOrphaned(long nanos, String error) {
        return "baton: still orphaned: no batond at " + socketPath + " for " + nanos / 1_000_000_000L + "s ("
                + error + ")";
    }

    /** Waits {@code nanos}; false when the link should stop instead (closed, or the drain began). */
    private boolean pause(long nanos) {
        long end = nanoClock.getAsLong() + nanos;
        synchronized (wake) {
            long left;
            while (!stopping() && (left = end - nanoClock.getAsLong()) > 0) {
                try {
                    wake.wait(Math.max(1, left / 1_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return !stopping();
    }

    /** batond's frames after LISTENERS: SEND_LISTENERS is answered; others are logged and ignored. */
    private void answer(Handoff h, Handoff.Received received) throws IOException {
        received.fds().forEach(ChildNative::close);     // batond sends none after LISTENERS
        Frame frame = received.frame();
        if (!"1".equals(frame.get(Keys.SEND_LISTENERS))) {
            Baton.LOG.log(Level.DEBUG, "baton: ignoring a frame from batond: " + frame);
            return;
        }
        if (draining.getAsBoolean() || closed) {
            // The drain closes the listeners: their descriptor numbers may already be another file's.
            h.send(Frame.of(Keys.LISTENERS, "", Keys.ADDRESSES, ""));
            Baton.LOG.log(Level.INFO, "baton: batond asked for the listeners while draining: sent none");
            return;
        }
        StringBuilder names = new StringBuilder();
        StringBuilder addresses = new StringBuilder();
        int[] fds = new int[listeners.size()];
        for (int i = 0; i < fds.length; i++) {
            Listener l = listeners.get(i);
            names.append(i == 0 ? "" : ",").append(l.name());
            addresses.append(i == 0 ? "" : ",").append(l.address() == null ? "" : Addresses.format(l.address()));
            fds[i] = l.fd();
        }
        try {
            h.send(Frame.of(Keys.LISTENERS, names.toString(), Keys.ADDRESSES, addresses.toString()), fds);
        } catch (IOException e) {
            // sendmsg sent nothing: a descriptor the service closed itself (EBADF), say. Answering
            // with none beats closing the connection, which would only repeat this on the next one.
            Baton.LOG.log(Level.WARNING, "baton: cannot send batond the listeners " + listeners + ": " + e.getMessage()
                    + "; sent none");
            h.send(Frame.of(Keys.LISTENERS, "", Keys.ADDRESSES, ""));
            return;
        }
        Baton.LOG.log(Level.INFO, "baton: sent batond the listeners " + listeners);
    }

    private static void closeQuietly(Handoff h) {
        if (h != null) {
            try {
                h.close();
            } catch (IOException e) {
                // Gone either way.
            }
        }
    }
}
