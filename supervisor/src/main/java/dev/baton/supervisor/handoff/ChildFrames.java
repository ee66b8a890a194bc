package dev.baton.supervisor.handoff;

import dev.baton.supervisor.lifecycle.Event;

import java.util.List;

import dev.baton.child.Frame;

/**
 * A child's frame as the event it is: the handoff protocol's wire keys end here, so that the
 * lifecycle sees HELLO, READY, stats and DRAINED, not KEY=VALUE lines. Numbers that are missing
 * or not numbers are -1 (unknown).
 */
public final class ChildFrames {
    /** The facts of a DRAINED frame that the log repeats, in this order. */
    private static final List<String> DRAIN_FACTS = List.of("INFLIGHT_AT_DRAIN", "ABANDONED", "DRAIN_MS", "CLOSED");

    private ChildFrames() {}

    public static Event event(int connection, Frame frame) {
        if ("1".equals(frame.get("BATON")) && frame.get("TOKEN") != null) {
            return new Event.ChildHello(connection, frame.get("TOKEN"), number(frame.get("PID")));
        }
        if ("1".equals(frame.get("READY"))) {
            return new Event.ChildReady(connection);
        }
        if ("1".equals(frame.get("DRAINED"))) {
            StringBuilder facts = new StringBuilder("served=" + frame.get("SERVED"));
            for (String key : DRAIN_FACTS) {
                if (frame.has(key)) {
                    facts.append(' ').append(key.toLowerCase()).append('=').append(frame.get(key));
                }
            }
            return new Event.ChildDrained(connection, number(frame.get("SERVED")), number(frame.get("INFLIGHT_AT_DRAIN")),
                    number(frame.get("ABANDONED")), facts.toString());
        }
        if (frame.has("INFLIGHT") || frame.has("SERVED")) {
            return new Event.ChildStats(connection, number(frame.get("INFLIGHT")), number(frame.get("SERVED")));
        }
        return new Event.ChildSentUnknown(connection, frame.fields().keySet().toString());
    }

    private static long number(String text) {
        if (text == null) {
            return -1;
        }
        try {
            long n = Long.parseLong(text.trim());
            return n < 0 ? -1 : n;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
