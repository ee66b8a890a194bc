package dev.baton.supervisor.lifecycle;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The lifecycle's state as plain records ({@link LifecycleState}) and back: what one image of
 * batond hands to the next when it replaces itself. Data only; the state machine is the
 * {@link Supervisor}'s.
 */
final class StateTransfer {
    private StateTransfer() {}

    static LifecycleState export(Supervisor s) {
        Map<Integer, LifecycleState.GenerationRecord> records = new LinkedHashMap<>();
        List<Reload> history = s.reloads.history();
        for (Generation g : s.exitedRecently) {
            records.put(g.number, g.record());
        }
        for (Reload r : history) {
            for (Generation g : new Generation[] {r.fresh, r.old}) {
                if (g != null) {
                    records.putIfAbsent(g.number, g.record());
                }
            }
        }
        s.alive.values().forEach(g -> records.put(g.number, g.record()));
        List<LifecycleState.ReloadRecord> reloadRecords = new ArrayList<>();
        history.forEach(r -> reloadRecords.add(r.record()));
        Map<Integer, Integer> draining = new LinkedHashMap<>();
        s.reloadByOldGeneration.forEach((number, r) -> draining.put(number, r.id));
        return new LifecycleState(s.startedAt, s.nextGeneration, new ArrayList<>(records.values()),
                new ArrayList<>(s.alive.keySet()), s.exitedRecently.stream().map(g -> g.number).toList(),
                s.serving != null ? s.serving.number : null, s.starting != null ? s.starting.number : null,
                reloadRecords, s.reloads.nextId(), s.reloadStarting != null ? s.reloadStarting.id : null, draining,
                s.queue.queued(), s.backoff.record(), s.upgrades, s.upgrading);
    }

    static void restore(Supervisor s, LifecycleState state) {
        Map<Integer, Generation> generations = new HashMap<>();
        for (LifecycleState.GenerationRecord r : state.generations()) {
            generations.put(r.number(), Generation.of(r));
        }
        java.util.function.IntFunction<Generation> byNumber = n -> {
            Generation g = generations.get(n);
            if (g == null) {
                throw new IllegalArgumentException("the state names gen=" + n + " but does not describe it");
            }
            return g;
        };
        for (int n : state.alive()) {
            Generation g = byNumber.apply(n);
            if (!g.alive()) {
                throw new IllegalArgumentException("gen=" + n + " is listed as alive but has exited");
            }
            s.alive.put(n, g);
            if (g.connection >= 0) {
                s.sessions.adopt(g.connection, g);
            }
        }
        for (int n : state.exitedRecently()) {
            s.exitedRecently.addLast(byNumber.apply(n));
        }
        s.serving = state.serving() != null ? live(s, state.serving()) : null;
        s.starting = state.starting() != null ? live(s, state.starting()) : null;
        s.nextGeneration = state.nextGeneration();
        Map<Integer, Reload> reloadsById = new HashMap<>();
        List<Reload> history = new ArrayList<>();
        for (LifecycleState.ReloadRecord r : state.reloads()) {
            Reload reload = Reload.of(r, byNumber);
            reloadsById.put(reload.id, reload);
            history.add(reload);
        }
        s.reloads.restore(history, state.nextReloadId());
        if (state.reloadStarting() != null) {
            s.reloadStarting = reloadsById.get(state.reloadStarting());
        }
        state.reloadByOldGeneration().forEach((number, id) -> {
            Reload r = reloadsById.get(id);
            if (r != null) {
                s.reloadByOldGeneration.put(number, r);
            }
        });
        if (state.reloadQueued() != null) {
            s.queue.add(state.reloadQueued());
        }
        s.resumedBackoff = s.backoff.restore(state.backoff());
        s.upgrades = state.upgrades();
        s.resumedFrom = state.upgrade();
    }

    /**
     * As {@link #restore}, from the state file of a batond that died: no handoff connection
     * survived it (children reconnect with a RESUME HELLO), no upgrade it had under way goes on,
     * and a generation it recorded alive that is not in {@code running} has exited meanwhile, with
     * a code nobody can know now.
     */
    static void restoreAfterCrash(Supervisor s, LifecycleState state, java.util.Set<Integer> running) {
        List<LifecycleState.GenerationRecord> generations = new ArrayList<>();
        for (LifecycleState.GenerationRecord r : state.generations()) {
            generations.add(new LifecycleState.GenerationRecord(r.number(), r.token(), r.pid(), r.phase(), r.deadline(),
                    r.reason(), r.spawnedAt(), r.readyAt(), r.drainStartedAt(), r.exitedAt(), r.exitCode(), -1,
                    r.servicePid(), r.inflight(), r.served(), r.inflightAtDrain(), r.inflightAtExit(), r.drainReported(),
                    r.killedProcesses(), r.warmupMs(), r.startPriority()));
        }
        LifecycleState cleared = new LifecycleState(state.startedAt(), state.nextGeneration(), generations, state.alive(),
                state.exitedRecently(), state.serving(), state.starting(), state.reloads(), state.nextReloadId(),
                state.reloadStarting(), state.reloadByOldGeneration(), state.reloadQueued(), state.backoff(),
                state.upgrades(), null);
        restore(s, cleared);
        java.time.Instant now = s.actionsNow();
        for (int n : state.alive()) {
            if (running.contains(n)) {
                continue;
            }
            Generation g = s.alive.remove(n);
            g.moveTo(new GenerationState.Exited(now, -1), "exited while no batond watched it: exit code unknown");
            s.exitedRecently.addLast(g);
            while (s.exitedRecently.size() > Supervisor.EXITED_SHOWN) {
                s.exitedRecently.removeFirst();
            }
            if (s.serving == g) {
                s.serving = null;
            }
            if (s.starting == g) {
                s.starting = null;
            }
        }
    }

    private static Generation live(Supervisor s, int number) {
        Generation g = s.alive.get(number);
        if (g == null) {
            throw new IllegalArgumentException("gen=" + number + " is not among the live generations");
        }
        return g;
    }
}
