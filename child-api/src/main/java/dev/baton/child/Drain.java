package dev.baton.child;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The orderly end of a generation: every participant stops accepting, in-flight work gets
 * until the deadline, close hooks run in registration order, batond hears DRAINED, and the
 * JVM exits: 0 when everything finished, 1 when work was abandoned or a hook failed.
 */
final class Drain {
    private final Duration timeout;
    private final Handoff handoff;
    private final int generation;
    private final List<Drainable> participants = new CopyOnWriteArrayList<>();
    private final List<Map.Entry<String, AutoCloseable>> closeHooks = new CopyOnWriteArrayList<>();
    private final AtomicBoolean started = new AtomicBoolean();

    Drain(Duration timeout, Handoff handoff, int generation) {
        this.timeout = timeout;
        this.handoff = handoff;
        this.generation = generation;
    }

    void add(Drainable participant) {
        participants.add(participant);
    }

    void onClose(String name, AutoCloseable resource) {
        closeHooks.add(Map.entry(name, resource));
    }

    /** Starts the drain on its own thread (signal handlers must return at once), then exits. */
    void startAndExit(String reason) {
        if (!started.compareAndSet(false, true)) {
            Baton.LOG.log(Level.INFO, "baton: " + reason + " while draining: already draining");
            return;
        }
        Thread thread = new Thread(() -> System.exit(run(reason)), "baton-drain");
        // Signal handlers run on daemon threads: without this, the JVM would exit as soon as the
        // service's last own thread ended, before the drain had finished or reported DRAINED.
        thread.setDaemon(false);
        thread.start();
    }

    /** The drain itself; returns the exit code. */
    int run(String reason) {
        // Leave a tenth of batond's drain timeout for close hooks before its SIGKILL.
        Instant deadline = Instant.now().plus(timeout.minus(timeout.dividedBy(10)));
        Baton.LOG.log(Level.INFO, "baton: draining generation=" + generation + " on " + reason + ", deadline in "
                + Duration.between(Instant.now(), deadline).toMillis() + " ms");
        boolean clean = true;
        for (Drainable p : participants) {
            try {
                p.stopAccepting();
            } catch (Exception e) {
                clean = false;
                Baton.LOG.log(Level.WARNING, "baton: stopAccepting failed: " + e);
            }
        }
        for (Drainable p : participants) {
            try {
                if (!p.awaitIdle(deadline)) {
                    clean = false;
                    Baton.LOG.log(Level.WARNING, "baton: drain deadline passed with work still in flight");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                clean = false;
                break;
            }
        }
        for (Map.Entry<String, AutoCloseable> hook : closeHooks) {
            try {
                hook.getValue().close();
                Baton.LOG.log(Level.INFO, "baton: closed " + hook.getKey());
            } catch (Exception e) {
                clean = false;
                Baton.LOG.log(Level.WARNING, "baton: closing " + hook.getKey() + " failed: " + e);
            }
        }
        long served = participants.stream().mapToLong(Drainable::served).filter(n -> n >= 0).sum();
        if (handoff != null) {
            try {
                handoff.send(Frame.of("DRAINED", "1", "SERVED", Long.toString(served)));
                handoff.close();
            } catch (IOException e) {
                Baton.LOG.log(Level.WARNING, "baton: cannot report DRAINED: " + e.getMessage());
            }
        }
        Baton.LOG.log(Level.INFO, "baton: drained generation=" + generation + " served=" + served + " clean=" + clean);
        return clean ? 0 : 1;
    }
}
