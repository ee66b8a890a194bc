package dev.baton.supervisor.lifecycle;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The recent reloads and who waits for one to end ({@code batonctl reload --wait}). A waiter
 * asks for "the next reload": the one its request starts, or, when a reload is already under
 * way and absorbs the request, the one that runs after it. Owned by the loop.
 */
public final class Reloads {
    static final int HISTORY = 10;

    private final Monitor monitor;
    private final Deque<Reload> history = new ArrayDeque<>();
    private final List<Consumer<ReloadSnapshot>> waitingForNext = new ArrayList<>();
    private final Map<Reload, List<Consumer<ReloadSnapshot>>> waiting = new HashMap<>();
    private int nextId = 1;

    Reloads(Monitor monitor) {
        this.monitor = monitor;
    }

    /** A reload begins now (it may still be refused at once); waiters for the next one attach to it. */
    Reload open(String source, Instant now) {
        Reload reload = new Reload(nextId++, source, now);
        history.addLast(reload);
        while (history.size() > HISTORY) {
            history.removeFirst();
        }
        waiting.put(reload, new ArrayList<>(waitingForNext));
        waitingForNext.clear();
        return reload;
    }

    void waitForNext(Consumer<ReloadSnapshot> waiter) {
        waitingForNext.add(waiter);
    }

    /** Ends the reload once, with the kernel's counters now; its waiters hear the outcome. */
    void end(Reload reload, Reload.Outcome outcome, String reason, Instant now, ListenCounters counters) {
        if (reload.ended()) {
            return;
        }
        if (reload.countersAfter.unknown()) {
            reload.countersAfter = counters;
        }
        reload.outcome = outcome;
        reload.reason = reason;
        reload.endedAt = now;
        ReloadSnapshot snapshot = reload.snapshot();
        monitor.reloadEnded(snapshot);
        List<Consumer<ReloadSnapshot>> waiters = waiting.remove(reload);
        if (waiters != null) {
            waiters.forEach(w -> w.accept(snapshot));
        }
    }

    /** batond is shutting down: every reload under way or waited for ends as ABORTED. */
    void abortAll(String reason, Instant now, ListenCounters counters) {
        for (Reload r : List.copyOf(history)) {
            end(r, Reload.Outcome.ABORTED, reason, now, counters);
        }
        if (!waitingForNext.isEmpty()) {
            Reload queued = open("queued", now);
            queued.countersBefore = counters;
            end(queued, Reload.Outcome.ABORTED, reason, now, counters);
        }
    }

    /** The history, oldest first, and the next reload's id. */
    List<Reload> history() {
        return List.copyOf(history);
    }

    int nextId() {
        return nextId;
    }

    /** Takes over the history another image of batond left (its waiters stayed behind with it). */
    void restore(List<Reload> reloads, int nextId) {
        history.clear();
        history.addAll(reloads);
        this.nextId = nextId;
    }

    /** Oldest first. */
    List<ReloadSnapshot> recent() {
        List<ReloadSnapshot> recent = new ArrayList<>(history.size());
        history.forEach(r -> recent.add(r.snapshot()));
        return recent;
    }
}
