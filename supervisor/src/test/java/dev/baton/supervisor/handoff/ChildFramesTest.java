package dev.baton.supervisor.handoff;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.baton.protocol.Frame;
import dev.baton.protocol.Reason;
import dev.baton.supervisor.lifecycle.Event;
import org.junit.jupiter.api.Test;

/** NOT_READY as the lifecycle sees it: a typed event whose reason is one short printable line. */
class ChildFramesTest {
    @Test
    void notReadyCarriesItsReason() {
        assertEquals(new Event.ChildNotReady(4, "check 'db' failing: timeout"),
                ChildFrames.event(4, Frame.of("NOT_READY", "1", "REASON", "check 'db' failing: timeout")));
    }

    @Test
    void aMissingOrHostileReasonIsMadeOneShortLine() {
        assertEquals(new Event.ChildNotReady(4, "no reason given"), ChildFrames.event(4, Frame.of("NOT_READY", "1")));
        assertEquals(new Event.ChildNotReady(4, "no reason given"), ChildFrames.event(4, Frame.of("NOT_READY", "1", "REASON", " ")));
        assertEquals(new Event.ChildNotReady(4, "a b c"), ChildFrames.event(4, Frame.of("NOT_READY", "1", "REASON", "a\tb\u001bc")));
        Event.ChildNotReady e = (Event.ChildNotReady) ChildFrames.event(4, Frame.of("NOT_READY", "1", "REASON", "x".repeat(5000)));
        assertEquals(Reason.MAX + 3, e.reason().length());
    }

    @Test
    void notReadyOtherThanOneIsNotNotReady() {
        assertEquals(Event.ChildSentUnknown.class, ChildFrames.event(4, Frame.of("NOT_READY", "0")).getClass());
    }
}
