package dev.baton.protocol;

/**
 * The keys of handoff frames (protocol version 1), in the order a child's life uses them.
 * See DESIGN.md's table: which side sends which frame.
 */
public final class Keys {
    private Keys() {}

    /** Hello, child to batond: {@code BATON=1} is the protocol version. */
    public static final String BATON = "BATON";
    /** Hello: this generation's secret, from {@link Env#BATON_TOKEN}. Never logged. */
    public static final String TOKEN = "TOKEN";
    /** Hello: the child's pid, checked against the connection's SO_PEERCRED. */
    public static final String PID = "PID";

    /** Listeners, batond to child: the generation number. */
    public static final String GENERATION = "GENERATION";
    /** Listeners: the names, comma-separated, in the order of the descriptors attached. */
    public static final String LISTENERS = "LISTENERS";
    /** Listeners: the addresses ({@link Addresses#format}), comma-separated, in the same order. */
    public static final String ADDRESSES = "ADDRESSES";

    /** {@code READY=1}: the child serves; batond may drain the previous generation. */
    public static final String READY = "READY";
    /** Stats: requests in flight now. */
    public static final String INFLIGHT = "INFLIGHT";
    /** Stats and drained: requests served so far. */
    public static final String SERVED = "SERVED";

    /** {@code DRAINED=1}: the drain has finished, the child is about to exit. */
    public static final String DRAINED = "DRAINED";
    /** Drained: requests in flight when the drain began. */
    public static final String INFLIGHT_AT_DRAIN = "INFLIGHT_AT_DRAIN";
    /** Drained: requests still in flight when the drain gave up on them. */
    public static final String ABANDONED = "ABANDONED";
    /** Drained: how long the drain took, in milliseconds. */
    public static final String DRAIN_MS = "DRAIN_MS";
    /** Drained: the resources closed, comma-separated, in order. */
    public static final String CLOSED = "CLOSED";

    /** Hello: {@code RESUME=1}, a child that served under a batond that died, reconnecting to the next one. */
    public static final String RESUME = "RESUME";
    /**
     * {@code SEND_LISTENERS=1}, batond to a resumed child: send the listeners back (a LISTENERS frame
     * with {@link #LISTENERS}, {@link #ADDRESSES} and the descriptors), as HAProxy's {@code -x}.
     */
    public static final String SEND_LISTENERS = "SEND_LISTENERS";
    /** Drained: the code the child is about to exit with (batond may not be its parent to see it). */
    public static final String EXIT = "EXIT";

    /** Ready: how long the warm-up step took, in milliseconds (0 without one). */
    public static final String WARMUP_MS = "WARMUP_MS";
    /** {@code NOT_READY=1}, child to batond: a readiness check failed after READY. */
    public static final String NOT_READY = "NOT_READY";
    /** Not ready: why, one line. */
    public static final String REASON = "REASON";
}
