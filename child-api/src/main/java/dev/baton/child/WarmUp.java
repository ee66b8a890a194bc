package dev.baton.child;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The warm-up steps a service registered, run once: by {@link Baton#ready} between the readiness
 * checks and READY, or earlier by {@link Baton#warmUpNow}: each step calls its task a number of
 * times, or again and again for a duration, or until the JIT is idle ({@link JitIdle}), in order
 * of registration. The first exception ends it: the start has failed.
 */
final class WarmUp {
    /**
     * One registered step: {@code times} calls, or calls until {@code duration} has passed (at
     * least one), or, {@code untilJitIdle}, paced calls until the JIT is idle or {@code duration}
     * has passed (at least one).
     */
    private record Step(WarmUpTask task, int times, Duration duration, boolean untilJitIdle) {
        String describe() {
            return untilJitIdle ? "until the JIT is idle, at most " + Drain.seconds(nanos())
                    : duration != null ? "for " + Drain.seconds(nanos()) : times + " time(s)";
        }

        /** The duration in nanoseconds; one of centuries (more than a long holds) is as good as forever. */
        long nanos() {
            try {
                return duration.toNanos();
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }
    }

    /** What a finished warm-up took. */
    record Result(long nanos, long calls) {
        long millis() {
            return nanos / 1_000_000;
        }
    }

    private final Supplier<JitIdle> jitIdle;
    private final List<Step> steps = new ArrayList<>();
    private boolean ran;
    /** What the run took, once it finished: {@link Baton#warmUpNow} ran it, ready() reports it. */
    private Result result;

    WarmUp() {
        this(JitIdle::ofThisJvm);
    }

    /** {@code jitIdle}: what an until-the-JIT-is-idle step watches, a new one per step. */
    WarmUp(Supplier<JitIdle> jitIdle) {
        this.jitIdle = jitIdle;
    }

    synchronized void add(int times, WarmUpTask task) {
        if (times < 0) {
            throw new IllegalArgumentException("a warm-up runs 0 or more times, not " + times);
        }
        add(new Step(require(task), times, null, false));
    }

    synchronized void add(Duration duration, WarmUpTask task) {
        if (duration == null || duration.isNegative()) {
            throw new IllegalArgumentException("a warm-up runs for 0 or more seconds, not " + duration);
        }
        add(new Step(require(task), 0, duration, false));
    }

    synchronized void addUntilJitIdle(Duration atMost, WarmUpTask task) {
        if (atMost == null || atMost.isNegative()) {
            throw new IllegalArgumentException("a warm-up waits for the JIT 0 or more seconds at most, not " + atMost);
        }
        add(new Step(require(task), 0, atMost, true));
    }

    private void add(Step step) {
        if (ran) {
            throw new IllegalStateException("register the warm-up before ready(): it runs once, before READY");
        }
        steps.add(step);
    }

    private static WarmUpTask require(WarmUpTask task) {
        if (task == null) {
            throw new IllegalArgumentException("the warm-up task is null");
        }
        return task;
    }

    /**
     * Runs every step and logs how long it took in one line. Throws {@link IllegalStateException}
     * (one line, the task's exception as cause) when a call throws; an interrupt ends it too.
     */
    synchronized Result run() throws InterruptedException {
        if (result != null) {
            return result; // already run early (Baton.warmUpNow): READY reports that run
        }
        ran = true;
        List<Step> toRun = List.copyOf(steps);
        long start = System.nanoTime();
        long calls = 0;
        for (Step step : toRun) {
            if (step.untilJitIdle()) {
                calls += untilJitIdle(step, start);
                continue;
            }
            long stepStart = System.nanoTime();
            long done = 0;
            while (step.duration() != null
                    ? done == 0 || System.nanoTime() - stepStart < step.nanos()
                    : done < step.times()) {
                call(step, done, start);
                done++;
                calls++;
            }
        }
        result = new Result(System.nanoTime() - start, calls);
        if (!toRun.isEmpty()) {
            Baton.LOG.log(Level.INFO, "baton: warmed up in " + Drain.seconds(result.nanos()) + " (" + calls
                    + " call" + (calls == 1 ? "" : "s") + ")");
        }
        return result;
    }

    /**
     * Calls the step's task, a pause after each call, until {@link JitIdle} says the compiler is
     * idle or the step's time is up (then READY comes anyway: a busy JIT is slow, not broken);
     * logs which in one line. Returns the calls made.
     */
    private long untilJitIdle(Step step, long start) throws InterruptedException {
        JitIdle jit = jitIdle.get();
        long stepStart = System.nanoTime();
        boolean idle;
        do {
            call(step, jit.calls(), start);
            idle = jit.called();
            LockSupport.parkNanos(JitIdle.PAUSE_NANOS);
        } while (!idle && System.nanoTime() - stepStart < step.nanos());
        String took = Drain.seconds(System.nanoTime() - stepStart) + " (" + jit.calls() + " call" + (jit.calls() == 1 ? "" : "s") + ")";
        if (!jit.watching()) {
            Baton.LOG.log(Level.INFO, "baton: this JVM reports no JIT compilation time (-Xint?): the step that waits "
                    + "for an idle JIT made its calls without watching it, in " + took);
        } else if (idle) {
            Baton.LOG.log(Level.INFO, "baton: JIT idle after " + took);
        } else {
            Baton.LOG.log(Level.WARNING, "baton: JIT still compiling after " + took + ", the most this step waits: READY anyway");
        }
        return jit.calls();
    }

    /** One call of the step's task, its {@code done + 1}st; a throw ends the warm-up as a failed start. */
    private static void call(Step step, long done, long start) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted during the warm-up");
        }
        try {
            step.task().run();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception | Error e) {
            throw new IllegalStateException("warm-up failed after " + Drain.seconds(System.nanoTime() - start)
                    + " (call " + (done + 1) + " of the step that runs " + step.describe() + "): "
                    + oneLine(e.toString()), e);
        }
    }

    /** An exception's text on one line, at most 200 characters: the failure stays one log line. */
    private static String oneLine(String text) {
        String line = text.replaceAll("[\\r\\n\\t]+", " ");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
