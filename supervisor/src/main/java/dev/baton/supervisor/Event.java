package dev.baton.supervisor;

import dev.baton.protocol.Frame;

/**
 * Everything that can happen to batond. Signal handlers, child exits, handoff frames and
 * timers only turn into events on the loop's queue; {@link Supervisor} alone acts on them.
 */
sealed interface Event {
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

    record FrameReceived(int connection, Frame frame) implements Event {}

    /** The handoff connection ended (end of stream, a bad frame, an I/O error); it is closed already. */
    record HandoffClosed(int connection, String reason) implements Event {}

    /** A deadline set earlier; stale ones (the generation moved on) are ignored. */
    record Deadline(int generation, Kind kind) implements Event {
        enum Kind { READY, DRAIN, KILL }
    }

    /** A command from batonctl on the control socket; the loop answers through {@code reply}. */
    record ControlRequest(String command, ControlReply reply) implements Event {}

    /** Time to tell systemd's watchdog that batond is alive (WATCHDOG_USEC). */
    record WatchdogDue() implements Event {}

    /** As PID 1: time to look for orphaned zombies to reap. */
    record ReapOrphans() implements Event {}

    /** Time to start a new generation after the serving one died. */
    record RestartDue() implements Event {}
}
