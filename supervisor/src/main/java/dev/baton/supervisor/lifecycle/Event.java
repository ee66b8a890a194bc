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

    /** HELLO: a child says who it is; {@code pid} is -1 when it did not say. */
    record ChildHello(int connection, String token, long pid) implements Event {}

    /** READY: the child serves. */
    record ChildReady(int connection) implements Event {}

    /** Stats: in flight and served now; -1 for a count the frame did not carry. */
    record ChildStats(int connection, long inflight, long served) implements Event {}

    /** DRAINED: the child's own account of its drain; {@code facts} as it worded them, for the log. */
    record ChildDrained(int connection, long served, long inflightAtDrain, long abandoned, String facts) implements Event {}

    /** A frame that is none of the above; {@code keys} names what it carried. */
    record ChildSentUnknown(int connection, String keys) implements Event {}

    /** The handoff connection ended (end of stream, a bad frame, an I/O error); it is closed already. */
    record HandoffClosed(int connection, String reason) implements Event {}

    /** A deadline set earlier; stale ones (the generation moved on) are ignored. */
    record Deadline(int generation, Kind kind) implements Event {
        /** PRIORITY: a generation started at low priority has had it for {@link Supervisor#lowWindow} long enough. */
        public enum Kind { READY, DRAIN, KILL, PRIORITY }
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
