package dev.baton.supervisor.lifecycle;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * batond as a whole, immutable, at {@code takenAt}: everything {@code batonctl status} shows
 * comes from here, and this is what batond would hand to another image of itself.
 *
 * @param state            "starting", "serving" or "stopping"
 * @param failing          why nothing serves yet, while a start keeps failing; null otherwise
 * @param generations      the recently exited generations (oldest first), then the live ones
 * @param reloads          the last reloads, oldest first
 * @param image            this image of batond: version, JVM, when it started
 * @param upgrades         upgrades of batond's own image this process has been through
 * @param upgrade          the upgrade under way, else the last one that ended; null when none was asked for
 * @param startPriority    how a reload's new generation starts: "nice 19", or "off: WHY"
 * @param drainPriority    how a replaced generation drains: "nice 19", "cpu.weight 1" or "off"
 */
public record SupervisorSnapshot(
        long pid,
        Instant startedAt,
        Instant takenAt,
        String state,
        Integer servingGeneration,
        int childRestarts,
        List<String> command,
        Failing failing,
        List<ListenerState> listeners,
        ListenCounters kernel,
        List<GenerationSnapshot> generations,
        List<ReloadSnapshot> reloads,
        long logLinesDropped,
        BatondImage image,
        int upgrades,
        UpgradeSnapshot upgrade,
        String startPriority,
        String drainPriority) {

    public SupervisorSnapshot {
        command = List.copyOf(command);
        listeners = List.copyOf(listeners);
        generations = List.copyOf(generations);
        reloads = List.copyOf(reloads);
    }

    /** A listener batond holds, and the connections waiting in its accept queue now (-1 unknown). */
    public record ListenerState(String name, InetSocketAddress address, int fd, long acceptQueue) {}

    /** Why nothing serves yet: the last failure, how many in a row, when the next attempt is due (null: none). */
    public record Failing(String lastFailure, int failuresInARow, Instant nextAttemptAt) {}

    /** Accept queues by listener name, for the reload evidence. */
    static Map<String, Long> queues(List<ListenerState> listeners) {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        listeners.forEach(l -> m.put(l.name(), l.acceptQueue()));
        return m;
    }
}
