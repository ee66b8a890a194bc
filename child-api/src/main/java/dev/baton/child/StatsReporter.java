package dev.baton.child;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import dev.baton.protocol.Frame;
import dev.baton.protocol.Keys;

/**
 * Sends {@code INFLIGHT=n SERVED=n} to batond on its own daemon thread: at most once per
 * {@link #MIN_INTERVAL}, and only when a number changed. It never touches a serving thread.
 * Under batond its sender is the {@link BatondLink}, which drops frames while batond is gone and
 * sends them to the next one once the child has reconnected; a sender that fails stops it (logged once).
 */
final class StatsReporter {
    /** Frames go out at most this often. */
    static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
    /** How often the numbers are looked at: a change is sent within about MIN_INTERVAL + TICK. */
    static final Duration TICK = Duration.ofMillis(250);

    private final LongSupplier inflight;
    private final LongSupplier served;
    private final FrameSender sender;
    private final LongSupplier nanoClock;
    private ScheduledExecutorService timer;
    private boolean stopped;                  // guarded by this
    private boolean released;                 // guarded by this: READY was reported
    private long lastInflight = Long.MIN_VALUE; // guarded by this
    private long lastServed = Long.MIN_VALUE;   // guarded by this
    private long lastSentNanos;                 // guarded by this
    private boolean sentAny;                    // guarded by this

    /** {@code inflight} and {@code served} return -1 when nothing counts them: then nothing is sent. */
    StatsReporter(LongSupplier inflight, LongSupplier served, FrameSender sender, LongSupplier nanoClock) {
        this.inflight = inflight;
        this.served = served;
        this.sender = sender;
        this.nanoClock = nanoClock;
    }

    /**
     * Starts the thread; nothing is sent before {@link #release()}. Started before the warm-up,
     * so that its executor, thread and classes exist before READY instead of loading in the
     * first milliseconds after it (a class loaded then can throw away code the warm-up compiled).
     */
    synchronized void start() {
        if (timer != null) {
            return; // started already
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "baton-stats");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The start failed before READY: the thread ends, having sent nothing; start() may begin again. */
    synchronized void cancel() {
        if (timer != null) {
            timer.shutdown();
            timer = null;
        }
    }

    /** READY was reported: the next tick may send. */
    synchronized void release() {
        released = true;
    }

    /** Looks at the numbers once; sends them when they changed and the last frame is old enough. */
    synchronized void tick() {
        if (stopped) {
            return;
        }
        // Counted before READY too, not sent: the counting code's first run (streams over the
        // participants) then comes before READY, not in the first quarter second after it.
        long i = inflight.getAsLong();
        long s = served.getAsLong();
        if (!released || i < 0 && s < 0) {
            return;
        }
        long now = nanoClock.getAsLong();
        if (i == lastInflight && s == lastServed
                || sentAny && now - lastSentNanos < MIN_INTERVAL.toNanos()) {
            return;
        }
        try {
            sender.send(Frame.of(Keys.INFLIGHT, Long.toString(Math.max(i, 0)), Keys.SERVED, Long.toString(Math.max(s, 0))));
            lastInflight = i;
            lastServed = s;
            lastSentNanos = now;
            sentAny = true;
        } catch (IOException | RuntimeException e) {
            Baton.LOG.log(Level.WARNING, "baton: cannot send stats to batond, no more will be sent: " + e.getMessage());
            stopLocked();
        }
    }

    /** No frame is sent after this returns (DRAINED must be the last one). */
    synchronized void stop() {
        stopLocked();
    }

    private void stopLocked() {
        stopped = true;
        if (timer != null) {
            timer.shutdown();
        }
    }
}
