package dev.baton.supervisor.handoff;

import dev.baton.supervisor.lifecycle.Event;
import dev.baton.supervisor.log.LogBudget;

import java.time.Duration;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.baton.protocol.Frame;
import dev.baton.protocol.Keys;
import dev.baton.protocol.Reason;

/**
 * A child's frame as the event it is: the handoff protocol's wire keys end here, so that the
 * lifecycle sees HELLO, READY, NOT_READY, stats and DRAINED, not KEY=VALUE lines. Numbers that are missing
 * or not numbers are -1 (unknown).
 */
public final class ChildFrames {
    /** The facts of a DRAINED frame that the log repeats, in this order. */
    private static final List<String> DRAIN_FACTS = List.of(Keys.INFLIGHT_AT_DRAIN, Keys.ABANDONED, Keys.DRAIN_MS, Keys.CLOSED);
    private static final Logger LOG = LoggerFactory.getLogger("batond");
    /** A child's bad WARMUP_MS: one line each, a few per minute (children can be restarted in a loop). */
    static final LogBudget BAD_WARMUP = new LogBudget(LOG,
            "handoff: {} more READY frame(s) with a bad WARMUP_MS, taken as 0", 3, Duration.ofMinutes(1));

    private ChildFrames() {}

    public static Event event(int connection, Frame frame) {
        if ("1".equals(frame.get(Keys.BATON)) && frame.get(Keys.TOKEN) != null) {
            long generation = number(frame.get(Keys.GENERATION));
            return new Event.ChildHello(connection, frame.get(Keys.TOKEN), number(frame.get(Keys.PID)),
                    "1".equals(frame.get(Keys.RESUME)), generation > Integer.MAX_VALUE ? -1 : (int) generation);
        }
        if ("1".equals(frame.get(Keys.READY))) {
            return new Event.ChildReady(connection, warmupMillis(connection, frame.get(Keys.WARMUP_MS)));
        }
        if ("1".equals(frame.get(Keys.NOT_READY))) {
            return new Event.ChildNotReady(connection, Reason.oneLine(frame.get(Keys.REASON)));
        }
        if ("1".equals(frame.get(Keys.DRAINED))) {
            StringBuilder facts = new StringBuilder("served=" + frame.get(Keys.SERVED));
            for (String key : DRAIN_FACTS) {
                if (frame.has(key)) {
                    facts.append(' ').append(key.toLowerCase()).append('=').append(frame.get(key));
                }
            }
            return new Event.ChildDrained(connection, number(frame.get(Keys.SERVED)), number(frame.get(Keys.INFLIGHT_AT_DRAIN)),
                    number(frame.get(Keys.ABANDONED)), facts.toString(), exitCode(frame.get(Keys.EXIT)));
        }
        if (frame.has(Keys.INFLIGHT) || frame.has(Keys.SERVED)) {
            return new Event.ChildStats(connection, number(frame.get(Keys.INFLIGHT)), number(frame.get(Keys.SERVED)));
        }
        return new Event.ChildSentUnknown(connection, frame.fields().keySet().toString());
    }

    /** READY's WARMUP_MS: absent is 0 (no warm-up); one that is not a number of milliseconds is 0, with a line. */
    private static long warmupMillis(int connection, String text) {
        if (text == null) {
            return 0;
        }
        long n = number(text);
        if (n < 0 && BAD_WARMUP.allow(System.nanoTime())) {
            String shown = text.length() > 24 ? text.substring(0, 24) + "..." : text;
            LOG.warn("handoff connection {} said READY with WARMUP_MS='{}', not a number of "
                    + "milliseconds: taken as 0, READY counts", connection, shown.replaceAll("\\p{Cntrl}", "?"));
        }
        return Math.max(0, n);
    }

    /** EXIT=: 0..255, else -1 (unknown). */
    private static int exitCode(String text) {
        long n = number(text);
        return n > 255 ? -1 : (int) n;
    }

    /**
     * A re-adopted child's LISTENERS answer, with the descriptors that came with it; names and
     * addresses split at commas (empty: none).
     */
    public static Event listenersReturned(int connection, Frame frame, int[] fds) {
        return new Event.ListenersReturned(connection, split(frame.get(Keys.LISTENERS)), split(frame.get(Keys.ADDRESSES)), fds);
    }

    private static List<String> split(String text) {
        return text == null || text.isEmpty() ? List.of() : List.of(text.split(",", -1));
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
