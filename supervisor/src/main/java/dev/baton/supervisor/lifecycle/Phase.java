package dev.baton.supervisor.lifecycle;

/** The phase of one generation, for exhaustive switches and log lines. */
public enum Phase {
    /** Spawned; has not said HELLO yet. */
    STARTING,
    /** HELLO accepted, listeners sent; waiting for READY. */
    CONNECTED,
    /**
     * READY, and proving itself for --min-ready beside the serving generation, which is not
     * signalled yet: both accept. Exiting or reporting NOT_READY now is a rollback.
     */
    PROVING,
    /** READY: the generation that takes new connections. */
    SERVING,
    /** SIGTERM sent after its successor became ready (or at shutdown); SIGKILL at the deadline. */
    DRAINING,
    /** Failed to become ready: SIGTERM sent, SIGKILL at the deadline. */
    KILLING,
    /** The process is gone. */
    EXITED
}
