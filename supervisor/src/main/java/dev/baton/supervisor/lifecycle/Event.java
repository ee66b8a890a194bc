package dev.baton.supervisor.lifecycle;

/**
 * Everything that can happen to batond. Signal handlers, child exits, handoff frames and
 * timers only turn into events on the loop's queue; {@link Supervisor} alone acts on them.
 * A child's frames arrive already read (the handoff package knows the wire format).
 */
public sealed interface Event {
    /** SIGUSR2 or SIGHUP. */
    record ReloadRequested(String source) implements Event {}

    /** SIGTERM or SIGINT. */
    record ShutdownRequested(String source) implements Event {}

    /**
     * A generation ended: its leader exited and no process of its group is left. code is the
     * leader's exit code, 128+N when signal N ended it.
     */
    record ChildExited(int generation, long pid, int code) implements Event {}

    /** A process connected to the handoff socket. */
    record HandoffConnected(int connection, long peerPid, int peerUid) implements Event {}

    /**
     * HELLO: a child says who it is; {@code pid} is -1 when it did not say. {@code resume}: a child of
     * a batond that died, reconnecting ({@code RESUME=1}), with its {@code generation} number (-1 when
     * it did not say).
     */
    record ChildHello(int connection, String token, long pid, boolean resume, int generation) implements Event {
        public ChildHello(int connection, String token, long pid) {
            this(connection, token, pid, false, -1);
        }
    }

    /** READY: the child serves; {@code warmupMs} is how long its warm-up took before (0: none). */
    record ChildReady(int connection, long warmupMs) implements Event {}

    /** NOT_READY: a readiness check of the child failed after READY; {@code reason} is one line. */
    record ChildNotReady(int connection, String reason) implements Event {}

    /** Stats: in flight and served now; -1 for a count the frame did not carry. */
    record ChildStats(int connection, long inflight, long served) implements Event {}

    /** DRAINED: the child's own account of its drain; {@code facts} as it worded them, for the log. */
    record ChildDrained(int connection, long served, long inflightAtDrain, long abandoned, String facts, int exitCode)
            implements Event {
        /** {@code exitCode}: the code the child says it is about to exit with ({@code EXIT=}), -1 when it did not say. */
        public ChildDrained(int connection, long served, long inflightAtDrain, long abandoned, String facts) {
            this(connection, served, inflightAtDrain, abandoned, facts, -1);
        }
    }

    /**
     * A re-adopted child's answer to {@code SEND_LISTENERS=1}: the listeners it holds, by name and
     * address as it worded them, with the descriptors that came with the frame (now batond's: each
     * is either taken as a listener or closed, see {@link Actions#takeListeners}).
     */
    record ListenersReturned(int connection, java.util.List<String> names, java.util.List<String> addresses, int[] fds)
            implements Event {}

    /** The time a batond started after one that died gives its children to reconnect is over. */
    record ReadoptWindowEnded() implements Event {}

    /** A frame that is none of the above; {@code keys} names what it carried. */
    record ChildSentUnknown(int connection, String keys) implements Event {}

    /** The handoff connection ended (end of stream, a bad frame, an I/O error); it is closed already. */
    record HandoffClosed(int connection, String reason) implements Event {}

    /** A deadline set earlier; stale ones (the generation moved on) are ignored. */
    record Deadline(int generation, Kind kind) implements Event {
        /** MIN_READY: the end of a new generation's --min-ready window. */
        /** PRIORITY: a generation started at low priority has had it for {@link Supervisor#lowWindow} long enough. */
        public enum Kind { READY, MIN_READY, DRAIN, KILL, PRIORITY }
    }

    /** Time to tell systemd's watchdog that batond is alive (WATCHDOG_USEC). */
    record WatchdogDue() implements Event {}

    /** As PID 1: time to look for orphaned zombies to reap. */
    record ReapOrphans() implements Event {}

    /**
     * The new image of batond was tried ({@code --check-only}): it runs, reads the state's version and
     * says which version and JVM it is; or why not ({@code reason}, one line).
     */
    record UpgradeChecked(boolean passed, String version, String jvm, String reason) implements Event {}

    /** The upgrade's check passed and everything queued before it is handled: write the state, exec. */
    record ReplaceImage() implements Event {}

    /** Time to start a new generation after the serving one died. */
    record RestartDue() implements Event {}
}
