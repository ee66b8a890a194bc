package dev.baton.child;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * Under batond, after READY: runs the registered readiness checks every {@link #INTERVAL} and
 * reports each time one starts failing ({@link Baton#notReady}), so that batond can roll a reload
 * back inside its --min-ready window. One daemon thread, only when checks are registered; it ends
 * when the drain begins.
 */
final class ReadinessWatch {
    /** How often the checks run after READY: the same order as a --min-ready window of a few seconds. */
    static final Duration INTERVAL = Duration.ofSeconds(1);

    private final Readiness readiness;
    private final Consumer<String> report;
    private boolean failing; // the watch thread's own

    ReadinessWatch(Readiness readiness, Consumer<String> report) {
        this.readiness = readiness;
        this.report = report;
    }

    /**
     * Starts the daemon thread now, and watches once {@code ready} opens (READY), if there are
     * checks by then. Started before the warm-up, so that its thread and classes exist before
     * READY; interrupting the thread ends it.
     */
    static Thread startAtReady(Readiness readiness, Consumer<String> report, Duration interval, CountDownLatch ready) {
        ReadinessWatch watch = new ReadinessWatch(readiness, report);
        Thread t = new Thread(() -> {
            try {
                ready.await();
                while (readiness.hasChecks() && watch.check()) {
                    Thread.sleep(interval.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "baton-readiness-watch");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** One pass: reports a check that fails now and passed before. False once the drain has begun: stop. */
    boolean check() {
        if (readiness.draining()) {
            return false;
        }
        Optional<String> failure = readiness.firstFailure();
        if (failure.isPresent() && !failing) {
            report.accept(failure.get());
        }
        failing = failure.isPresent();
        return true;
    }
}
