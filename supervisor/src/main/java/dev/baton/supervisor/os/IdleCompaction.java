package dev.baton.supervisor.os;

import dev.baton.supervisor.lifecycle.GenerationSnapshot;
import dev.baton.supervisor.lifecycle.Monitor;
import dev.baton.supervisor.lifecycle.ReloadSnapshot;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Gives memory back once batond goes idle: after generation 1 first serves and a few seconds
 * after each reload ends, a full collection lets the small heap shrink to what is live
 * (bin/batond runs with -XX:MaxHeapFreeRatio and -XX:-ShrinkHeapInSteps), and the JVM's
 * native-heap trim returns the rest. The one after a reload waits {@link #AFTER_RELOAD} on the
 * timer thread: a reload ends as the old generation exits, just when the new one takes the whole
 * load, and nothing is gained by collecting at that moment rather than a little later.
 * Everything else is passed on to {@code next}.
 */
public final class IdleCompaction implements Monitor {
    static final Duration AFTER_RELOAD = Duration.ofSeconds(3);

    private final Monitor next;
    private final ScheduledExecutorService timers;
    private boolean firstServed;

    public IdleCompaction(Monitor next, ScheduledExecutorService timers) {
        this.next = next;
        this.timers = timers;
    }

    private static void compact() {
        System.gc();
    }

    @Override
    public void reloadEnded(ReloadSnapshot reload) {
        next.reloadEnded(reload);
        try {
            timers.schedule(IdleCompaction::compact, AFTER_RELOAD.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // batond is exiting (its timers stopped): nothing to give back to.
        }
    }

    @Override
    public void serving(GenerationSnapshot generation) {
        next.serving(generation);
        if (!firstServed) {
            firstServed = true;
            compact();
        }
    }

    @Override
    public void stats(GenerationSnapshot generation) {
        next.stats(generation);
    }

    @Override
    public void exited(GenerationSnapshot generation) {
        next.exited(generation);
    }

    @Override
    public void childRestarted() {
        next.childRestarted();
    }
}
