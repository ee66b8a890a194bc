package dev.baton.child;

/** Where a service's listeners came from. */
public enum Mode {
    /** Handed over by batond on the handoff socket ({@code BATON_SOCKET}). */
    BATOND,
    /** Inherited from systemd socket activation ({@code LISTEN_FDS}, {@code LISTEN_PID}). */
    SYSTEMD,
    /** Inherited from Perl's start_server ({@code SERVER_STARTER_PORT}). */
    START_SERVER,
    /** Bound here: development, Kubernetes, anything without a supervisor. */
    STANDALONE
}
