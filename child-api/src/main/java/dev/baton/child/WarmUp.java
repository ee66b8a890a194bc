package dev.baton.child;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The warm-up steps a service registered, run once by {@link Baton#ready} between the readiness
 * checks and READY: each step calls its task a number of times, or again and again for a
 * duration, in order of registration. The first exception ends it: the start has failed.
 */
final class WarmUp {
    /** One registered step: {@code times} calls, or calls until {@code duration} has passed (at least one). */
    private record Step(WarmUpTask task, int times, Duration duration) {
        String describe() {
            return duration != null ? "for " + Drain.seconds(duration.toNanos()) : times + " time(s)";
        }
    }

    /** What a finished warm-up took. */
    record Result(long nanos, long calls) {
        long millis() {
            return nanos / 1_000_000;
        }
    }

    private final List<Step> steps = new ArrayList<>();
    private boolean ran;

    synchronized void add(int times, WarmUpTask task) {
        if (times < 0) {
            throw new IllegalArgumentException("a warm-up runs 0 or more times, not " + times);
        }
        add(new Step(require(task), times, null));
    }

    synchronized void add(Duration duration, WarmUpTask task) {
        if (duration == null || duration.isNegative()) {
            throw new IllegalArgumentException("a warm-up runs for 0 or more seconds, not " + duration);
        }
        add(new Step(require(task), 0, duration));
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
    Result run() throws InterruptedException {
        List<Step> toRun;
        synchronized (this) {
            ran = true;
            toRun = List.copyOf(steps);
        }
        long start = System.nanoTime();
        long calls = 0;
        for (Step step : toRun) {
            long stepStart = System.nanoTime();
            long done = 0;
            while (step.duration() != null
                    ? done == 0 || System.nanoTime() - stepStart < step.duration().toNanos()
                    : done < step.times()) {
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
                done++;
                calls++;
            }
        }
        Result result = new Result(System.nanoTime() - start, calls);
        if (!toRun.isEmpty()) {
            Baton.LOG.log(Level.INFO, "baton: warmed up in " + Drain.seconds(result.nanos()) + " (" + calls
                    + " call" + (calls == 1 ? "" : "s") + ")");
        }
        return result;
    }

    /** An exception's text on one line, at most 200 characters: the failure stays one log line. */
    private static String oneLine(String text) {
        String line = text.replaceAll("[\\r\\n\\t]+", " ");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
