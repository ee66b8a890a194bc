package dev.baton.supervisor.os;

import dev.baton.supervisor.lifecycle.Monitor;
import dev.baton.supervisor.lifecycle.ReloadSnapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The collection after a reload waits on the timer thread; the reload's end reaches the metrics at once. */
public class IdleCompactionTest {
    @Test
    void theCollectionAfterAReloadIsScheduledNotRunAtItsEnd() {
        List<ReloadSnapshot> ended = new ArrayList<>();
        Monitor metrics = new Monitor() {
            @Override
            public void reloadEnded(ReloadSnapshot reload) {
                ended.add(reload);
            }
        };
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1);
        try {
            new IdleCompaction(metrics, timers).reloadEnded(null);
            assertEquals(1, ended.size());
            assertEquals(1, timers.getQueue().size(), "one collection waits");
            long delayMs = ((Delayed) timers.getQueue().peek()).getDelay(TimeUnit.MILLISECONDS);
            assertTrue(delayMs > IdleCompaction.AFTER_RELOAD.toMillis() - 1000 && delayMs <= IdleCompaction.AFTER_RELOAD.toMillis(),
                    "due in about " + IdleCompaction.AFTER_RELOAD + ", not " + delayMs + " ms");
        } finally {
            timers.shutdownNow();
        }
    }

    @Test
    void aReloadEndingAsBatondExitsSchedulesNothing() {
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1);
        timers.shutdownNow();
        new IdleCompaction(Monitor.NONE, timers).reloadEnded(null);
        assertEquals(0, timers.getQueue().size());
    }
}
