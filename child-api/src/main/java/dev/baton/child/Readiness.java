package dev.baton.child;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Whether this process should get traffic: {@link Baton#ready()} has succeeded, every
 * registered {@link ReadinessCheck} passes now, and the drain has not begun. This is what the
 * {@code /ready} probe answers ({@link ProbeServer}); liveness is separate and only says the
 * process runs.
 *
 * <p>{@link Baton#ready()} waits for the checks: it runs them every {@link #RETRY_INTERVAL}
 * until all pass or its maximum wait is over, logs which check fails and why (when that
 * changes, and every {@link #REMIND_EVERY} while it does not), and throws naming the failing
 * check if they never all pass. Only then does it tell the supervisor READY.
 */
public final class Readiness {
    /** How often {@link Baton#ready()} runs the checks again while one fails. */
    public static final Duration RETRY_INTERVAL = Duration.ofMillis(200);
    /** How often a check that keeps failing for the same reason is logged again. */
    public static final Duration REMIND_EVERY = Duration.ofSeconds(5);

    /**
     * What a readiness probe answers.
     *
     * @param ready  true: send traffic here
     * @param reason {@code ready}, or why not: {@code starting}, {@code draining}, or the failing check
     */
    public record Verdict(boolean ready, String reason) {}

    private final Map<String, ReadinessCheck> checks = new LinkedHashMap<>(); // guarded by this
    private volatile boolean reported;
    private volatile boolean draining;

    Readiness() {}

    synchronized void add(String name, ReadinessCheck check) {
        if (name == null || name.isBlank() || name.contains("\n")) {
            throw new IllegalArgumentException("a readiness check needs a one-line name, not '" + name + "'");
        }
        if (checks.putIfAbsent(name, check) != null) {
            throw new IllegalArgumentException("readiness check '" + name + "' is already registered");
        }
    }

    synchronized boolean hasChecks() {
        return !checks.isEmpty();
    }

    /** Runs every check in registration order; the first one that fails, described, or empty when all pass. */
    public Optional<String> firstFailure() {
        Map<String, ReadinessCheck> now;
        synchronized (this) {
            now = new LinkedHashMap<>(checks);
        }
        for (Map.Entry<String, ReadinessCheck> check : now.entrySet()) {
            try {
                if (!check.getValue().passes()) {
                    return Optional.of("check '" + check.getKey() + "' failing");
                }
            } catch (Exception e) {
                return Optional.of("check '" + check.getKey() + "' failing: " + e);
            }
        }
        return Optional.empty();
    }

    /** The answer for a readiness probe now. */
    public Verdict verdict() {
        if (draining) {
            return new Verdict(false, "draining");
        }
        if (!reported) {
            return new Verdict(false, "starting: ready() has not succeeded yet");
        }
        return firstFailure().map(failure -> new Verdict(false, failure)).orElse(new Verdict(true, "ready"));
    }

    /** True once the drain has begun: from then on the process is never ready again. */
    public boolean draining() {
        return draining;
    }

    /** True once {@link Baton#ready()} has reported READY. */
    boolean readyReported() {
        return reported;
    }

    void markReady() {
        reported = true;
    }

    void markDraining() {
        draining = true;
    }

    /**
     * Runs the checks until they all pass; throws {@link IllegalStateException} naming the failing
     * check when {@code maxWait} is over first.
     */
    void awaitPassing(Duration maxWait) throws InterruptedException {
        long start = System.nanoTime();
        String lastFailure = null;
        long lastLogged = 0;
        while (true) {
            Optional<String> failure = firstFailure();
            long elapsed = System.nanoTime() - start;
            if (failure.isEmpty()) {
                if (lastFailure != null) {
                    Baton.LOG.log(Level.INFO, "baton: readiness checks pass after " + Drain.seconds(elapsed));
                }
                return;
            }
            if (elapsed >= maxWait.toNanos()) {
                throw new IllegalStateException("not ready after " + Drain.seconds(elapsed) + ": " + failure.get());
            }
            if (!failure.get().equals(lastFailure) || elapsed - lastLogged >= REMIND_EVERY.toNanos()) {
                Baton.LOG.log(Level.WARNING, "baton: not ready yet (" + Drain.seconds(elapsed) + "): "
                        + failure.get() + "; retrying for up to " + Drain.seconds(maxWait.toNanos()));
                lastFailure = failure.get();
                lastLogged = elapsed;
            }
            Thread.sleep(RETRY_INTERVAL.toMillis());
        }
    }
}
