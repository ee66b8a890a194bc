package dev.baton.child;

import java.util.List;

import dev.baton.protocol.Frame;
import dev.baton.protocol.Keys;

/**
 * What a drain did, as logged and as sent to batond in the DRAINED frame:
 * {@code DRAINED=1 SERVED=n INFLIGHT_AT_DRAIN=n ABANDONED=n DRAIN_MS=ms CLOSED=name1,name2 EXIT=code}.
 *
 * @param served          requests served by this process in its whole life
 * @param inflightAtDrain requests in flight when the drain began
 * @param abandoned       requests still in flight at the deadline and closed unfinished (0 normally)
 * @param drainMillis     how long the drain took, from the signal to the DRAINED frame
 * @param closed          the registered resources that closed, in the order they closed
 * @param clean           nothing abandoned and nothing failed: the process exits 0
 */
public record DrainReport(long served, long inflightAtDrain, long abandoned, long drainMillis, List<String> closed,
        boolean clean) {

    /** Copies {@code closed}. */
    public DrainReport {
        closed = List.copyOf(closed);
    }

    /** The DRAINED frame for batond. */
    public Frame toFrame() {
        return Frame.of(Keys.DRAINED, "1", Keys.SERVED, Long.toString(served), Keys.INFLIGHT_AT_DRAIN,
                Long.toString(inflightAtDrain), Keys.ABANDONED, Long.toString(abandoned), Keys.DRAIN_MS,
                Long.toString(drainMillis), Keys.CLOSED, String.join(",", closed),
                Keys.EXIT, Integer.toString(exitCode()));
    }

    /** The exit code this drain ends the process with. */
    public int exitCode() {
        return clean ? 0 : 1;
    }
}
