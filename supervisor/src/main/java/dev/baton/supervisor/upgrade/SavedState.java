package dev.baton.supervisor.upgrade;

import dev.baton.supervisor.lifecycle.LifecycleState;
import dev.baton.supervisor.lifecycle.Listener;

import java.util.List;
import java.util.Map;

/**
 * What batond keeps in its state file for a batond started after this one died: the lifecycle,
 * the listeners' names and addresses (their descriptors, -1 here, die with batond), each live
 * generation's leader start time ({@code /proc/PID/stat} field 22, by generation number: a pid
 * with another start time is another process), and the pid of the batond that saved it.
 */
public record SavedState(LifecycleState lifecycle, List<Listener> listeners, Map<Integer, Long> startTimes, long batondPid) {
    public SavedState {
        listeners = List.copyOf(listeners);
        startTimes = Map.copyOf(startTimes);
    }
}
