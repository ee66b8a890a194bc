package dev.baton.supervisor.lifecycle;

/** The phase of one generation, for exhaustive switches and log lines. */
public enum Phase {
    /** Spawned; has not said HELLO yet. */
    STARTING,
    /** HELLO accepted, listeners sent; waiting for READY. */
    CONNECTED,
    /** READY: the generation that takes new connections. */
    SERVING,
    /** SIGTERM sent after its successor became ready (or at shutdown); SIGKILL at the deadline. */
    DRAINING,
    /** Failed to become ready: SIGTERM sent, SIGKILL at the deadline. */
    KILLING,
    /** The process is gone. */
    EXITED
}
