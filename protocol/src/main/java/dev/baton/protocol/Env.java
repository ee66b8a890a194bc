package dev.baton.protocol;

/** The environment batond gives each child it starts: how the child finds the handoff socket. */
public final class Env {
    private Env() {}

    /** Path of batond's handoff socket (AF_UNIX, SOCK_STREAM). */
    public static final String BATON_SOCKET = "BATON_SOCKET";
    /** This generation's secret; the hello frame's {@link Keys#TOKEN}. */
    public static final String BATON_TOKEN = "BATON_TOKEN";
    /** This generation's number, 1 for the first child. */
    public static final String BATON_GENERATION = "BATON_GENERATION";
    /** batond's --drain-timeout in milliseconds: when the drain signal is followed by SIGKILL. */
    public static final String BATON_DRAIN_TIMEOUT_MS = "BATON_DRAIN_TIMEOUT_MS";
}
