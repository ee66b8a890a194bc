package dev.baton.child;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;

/**
 * The orderly end of a generation, in stages under one overall deadline:
 * <ol>
 *   <li>readiness turns false ({@code /ready} answers 503), every participant stops accepting;</li>
 *   <li>the requests in flight finish ({@code in-flight 143 -> 0 in 2.1 s});</li>
 *   <li>idle keep-alive connections are closed;</li>
 *   <li>past the deadline only: what is still open is logged and closed, and the exit code is 1;</li>
 *   <li>registered resources are closed in reverse order of registration ({@code closed db-pool});</li>
 *   <li>batond hears DRAINED with the same facts (see {@link DrainReport});</li>
 *   <li>logging is flushed and stopped, and the JVM exits: 0 when everything finished, 1 otherwise.</li>
 * </ol>
 * Stages 2 and 3 end at the deadline less a tenth, which is kept for closing resources. A drain
 * still running at the deadline itself (a resource that hangs on close) is ended by a watchdog
 * with exit code 1.
 */
final class Drain {
    private final Duration timeout;
    private final FrameSender batond;      // null when not under batond
    private final int generation;
    private final Readiness readiness;
    private final StatsReporter stats;     // null when not under batond
    private final Runnable stopLogging;
    private final IntConsumer exit;
    private final List<Drainable> participants = new CopyOnWriteArrayList<>();
    private final List<Map.Entry<String, AutoCloseable>> resources = new CopyOnWriteArrayList<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile String stage = "not started";
    private volatile boolean finished;

    Drain(Duration timeout, FrameSender batond, int generation, Readiness readiness, Runnable stopLogging,
            IntConsumer exit) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("drain timeout must be positive, not " + timeout);
        }
        this.timeout = timeout;
        this.batond = batond;
        this.generation = generation;
        this.readiness = readiness;
        // Stats are the drain's participants' numbers, sent on the same connection as DRAINED.
        this.stats = batond == null ? null : new StatsReporter(this::inflight, this::served, batond, System::nanoTime);
        this.stopLogging = stopLogging;
        this.exit = exit;
    }

    void add(Drainable participant) {
        participants.add(participant);
    }

    void onClose(String name, AutoCloseable resource) {
        if (name == null || name.isBlank() || name.contains(",") || name.contains("\n")) {
            throw new IllegalArgumentException("a resource needs a one-line name without commas, not '" + name + "'");
        }
        resources.add(Map.entry(name, resource));
    }

    /**
     * Starts the stats thread (none when not under batond) before the warm-up, sending nothing
     * until {@link #releaseStats()}; the drain stops it.
     */
    void startStats() {
        if (stats != null) {
            stats.start();
        }
    }

    /** READY was reported: INFLIGHT/SERVED frames go to batond from now on. */
    void releaseStats() {
        if (stats != null) {
            stats.release();
        }
    }

    /** The start failed: the stats thread ends without having sent anything. */
    void cancelStats() {
        if (stats != null) {
            stats.cancel();
        }
    }

    /** The drain has begun (SIGTERM, SIGINT or drainAndExit): the listeners are being closed. */
    boolean started() {
        return started.get();
    }

    Duration timeout() {
        return timeout;
    }

    /** Requests in flight over every participant that counts them; -1 when none does. */
    long inflight() {
        return sum(participants.stream().mapToLong(Drainable::inflight).toArray());
    }

    /** Requests served over every participant that counts them; -1 when none does. */
    long served() {
        return sum(participants.stream().mapToLong(Drainable::served).toArray());
    }

    private static long sum(long[] counts) {
        long total = -1;
        for (long n : counts) {
            if (n >= 0) {
                total = Math.max(total, 0) + n;
            }
        }
        return total;
    }

    /**
     * Starts the drain on its own thread (signal handlers must return at once) and exits when it
     * is done, or when the watchdog finds it still running at the deadline.
     */
    void startAndExit(String reason) {
        if (!started.compareAndSet(false, true)) {
            Baton.LOG.log(Level.INFO, "baton: " + reason + " while draining: already draining");
            return;
        }
        Thread drain = new Thread(() -> {
            int code = run(reason).exitCode();
            finished = true;
            exit.accept(code);
        }, "baton-drain");
        // Signal handlers run on daemon threads: without this, the JVM would exit as soon as the
        // service's last own thread ended, before the drain had finished or reported DRAINED.
        drain.setDaemon(false);
        Thread watchdog = new Thread(() -> {
            try {
                drain.join(timeout.toMillis());
                if (drain.isAlive() && !finished) {
                    Baton.LOG.log(Level.ERROR, "baton: drain deadline of " + seconds(timeout.toNanos())
                            + " passed while " + stage + "; exiting 1");
                    stopLogging.run();
                    exit.accept(1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "baton-drain-watchdog");
        watchdog.setDaemon(true);
        drain.start();
        watchdog.start();
    }

    /** The drain itself, every stage up to the exit; returns what it did. */
    DrainReport run(String reason) {
        long start = System.nanoTime();
        Instant deadline = Instant.now().plus(timeout);
        // Leave a tenth of the deadline for closing resources after the waiting stages.
        Instant waitUntil = deadline.minus(timeout.dividedBy(10));
        readiness.markDraining();
        long inflightAtDrain = Math.max(inflight(), 0);
        Baton.LOG.log(Level.INFO, "baton: draining generation=" + generation + " on " + reason + ": in-flight "
                + inflightAtDrain + ", deadline in " + seconds(timeout.toNanos()));
        boolean clean = true;

        stage = "stopping accepting";
        for (Drainable p : participants) {
            try {
                p.stopAccepting();
            } catch (Exception e) {
                clean = false;
                Baton.LOG.log(Level.WARNING, "baton: stopAccepting failed: " + e);
            }
        }
        Baton.LOG.log(Level.INFO, "baton: stopped accepting");

        stage = "waiting for in-flight requests";
        long waitStart = System.nanoTime();
        boolean inflightDone = true;
        try {
            for (Drainable p : participants) {
                inflightDone &= p.awaitIdle(waitUntil);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            inflightDone = false;
        }
        Baton.LOG.log(Level.INFO, "baton: in-flight " + inflightAtDrain + " -> " + Math.max(inflight(), 0) + " in "
                + seconds(System.nanoTime() - waitStart) + (inflightDone ? "" : " (deadline passed)"));

        stage = "closing idle connections";
        if (inflightDone) {
            long idleStart = System.nanoTime();
            int idle = 0;
            for (Drainable p : participants) {
                try {
                    idle += p.closeIdle(waitUntil);
                } catch (Exception e) {
                    clean = false;
                    Baton.LOG.log(Level.WARNING, "baton: closing idle connections failed: " + e);
                }
            }
            Baton.LOG.log(Level.INFO, "baton: closed " + idle + " idle connection(s) in "
                    + seconds(System.nanoTime() - idleStart));
        }

        stage = "closing what was still in flight";
        long abandoned = Math.max(inflight(), 0);
        List<String> leftOver = new ArrayList<>();
        for (Drainable p : participants) {
            try {
                leftOver.addAll(p.abandon());
            } catch (RuntimeException e) {
                Baton.LOG.log(Level.WARNING, "baton: abandoning failed: " + e);
            }
        }
        if (!leftOver.isEmpty() || abandoned > 0) {
            clean = false;
            Baton.LOG.log(Level.WARNING, "baton: drain deadline passed: closed " + abandoned
                    + " request(s) still in flight: " + String.join("; ", leftOver));
        }

        List<String> closed = new ArrayList<>();
        List<Map.Entry<String, AutoCloseable>> reversed = new ArrayList<>(resources);
        java.util.Collections.reverse(reversed);
        for (Map.Entry<String, AutoCloseable> resource : reversed) {
            stage = "closing " + resource.getKey();
            long closeStart = System.nanoTime();
            try {
                resource.getValue().close();
                closed.add(resource.getKey());
                Baton.LOG.log(Level.INFO, "baton: closed " + resource.getKey() + " in "
                        + seconds(System.nanoTime() - closeStart));
            } catch (Exception e) {
                clean = false;
                Baton.LOG.log(Level.WARNING, "baton: closing " + resource.getKey() + " failed: " + e);
            }
        }

        stage = "reporting DRAINED";
        if (stats != null) {
            stats.stop();
        }
        long served = Math.max(served(), 0);
        DrainReport report = new DrainReport(served, inflightAtDrain, abandoned,
                Duration.ofNanos(System.nanoTime() - start).toMillis(), closed, clean);
        if (batond != null) {
            try {
                batond.send(report.toFrame());   // EXIT=: batond may not be this process's parent
                batond.close();
            } catch (IOException e) {
                Baton.LOG.log(Level.WARNING, "baton: cannot report DRAINED: " + e.getMessage());
            }
        }
        Baton.LOG.log(Level.INFO, "baton: drained generation=" + generation + " in " + seconds(System.nanoTime() - start)
                + ": served=" + served + " inflight_at_drain=" + inflightAtDrain + " abandoned=" + abandoned
                + " closed=[" + String.join(",", closed) + "] exit " + report.exitCode());

        stage = "stopping logging";
        stopLogging.run();
        return report;
    }

    /**
     * {@code 2.1 s}: how the drain's evidence lines (and the warm-up's) show a duration, in tenths
     * rounded half up as {@code %.1f} would. By hand: the first String.format loads the Formatter
     * and locale data, which would happen at the end of a warm-up (just before READY) and in the
     * drain, both times when the CPU belongs to serving.
     */
    static String seconds(long nanos) {
        if (nanos < 0) {
            return "-" + seconds(nanos == Long.MIN_VALUE ? Long.MAX_VALUE : -nanos);
        }
        long tenths = nanos / 100_000_000L + (nanos % 100_000_000L >= 50_000_000L ? 1 : 0);
        return tenths / 10 + "." + tenths % 10 + " s";
    }
}
