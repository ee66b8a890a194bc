package dev.baton.supervisor.lifecycle;

/**
 * How a new generation is kept out of the serving one's way while it starts: {@code mechanism}
 * is what the log and status say ("nice 19", or "off: WHY"); {@code on} whether a reload's new
 * generation starts low and is restored at READY.
 */
public record StartPriority(boolean on, String mechanism) {
    public static StartPriority off(String why) {
        return new StartPriority(false, "off: " + why);
    }

    public static StartPriority nice(int nice) {
        return new StartPriority(true, "nice " + nice);
    }

    /** A generation's start priority as status shows it: started low and not restored yet, or restored. */
    public static final String LOW = "low";
    public static final String RESTORED = "restored";
}
