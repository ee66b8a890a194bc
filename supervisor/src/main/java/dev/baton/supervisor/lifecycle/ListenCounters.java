package dev.baton.supervisor.lifecycle;

/**
 * The kernel's count of connections it could not queue on any listener of this network
 * namespace (TcpExt ListenOverflows: accept queue full; ListenDrops: dropped for any reason,
 * overflows included). Sampled before and after a handoff, an unchanged pair shows that no
 * connection was dropped at the listen queue. -1 when unknown (os.NetStat reads them).
 */
public record ListenCounters(long overflows, long drops) {
    public static final ListenCounters UNKNOWN = new ListenCounters(-1, -1);

    /**
     * Whether this is the unknown pair, by value (a state carried across an upgrade holds its own
     * copy). Not the record's equals: its first call spins method-handle classes, which in batond's
     * interpreter-only JVM cost about 80 ms of CPU at the end of the first reload.
     */
    public boolean unknown() {
        return overflows == UNKNOWN.overflows && drops == UNKNOWN.drops;
    }

    /** How many more since {@code before}; -1 when either sample is unknown. */
    public ListenCounters since(ListenCounters before) {
        if (overflows < 0 || before.overflows < 0) {
            return UNKNOWN;
        }
        return new ListenCounters(overflows - before.overflows, drops - before.drops);
    }
}
