package dev.baton.supervisor.lifecycle;

import java.time.Instant;

/**
 * What is true of one generation in each phase, holding only what is valid there; the facts of
 * its life so far (spawned, ready, told to drain) are {@link Generation}'s.
 *
 * <p>Allowed transitions (anything else is a bug and throws):
 * <pre>
 *   STARTING  -> CONNECTED  HELLO with this generation's token; listeners sent
 *   CONNECTED -> SERVING    READY
 *   CONNECTED -> PROVING    READY during a reload with --min-ready: the old generation keeps serving beside it
 *   PROVING   -> SERVING    the --min-ready window ended: the old generation drains now
 *   PROVING   -> DRAINING   NOT_READY inside the window (a rollback), or batond shuts down
 *   SERVING   -> DRAINING   a successor is READY, or batond shuts down
 *   STARTING, CONNECTED -> DRAINING  batond shuts down before it was READY
 *   STARTING, CONNECTED -> KILLING   its start failed: ready timeout, handoff closed, cannot send listeners
 *   any       -> EXITED     the last process of its group ended
 * </pre>
 * DRAINING and KILLING end in SIGKILL to the whole group at their deadline; the phase stays.
 */
public sealed interface GenerationState {
    Phase phase();

    record Starting(Instant readyDeadline) implements GenerationState {
        public Phase phase() { return Phase.STARTING; }
    }

    record Connected(Instant readyDeadline) implements GenerationState {
        public Phase phase() { return Phase.CONNECTED; }
    }

    /** READY; the old generation is signalled at {@code until} unless this one fails before. */
    record Proving(Instant until) implements GenerationState {
        public Phase phase() { return Phase.PROVING; }
    }

    record Serving() implements GenerationState {
        public Phase phase() { return Phase.SERVING; }
    }

    record Draining(Instant deadline) implements GenerationState {
        public Phase phase() { return Phase.DRAINING; }
    }

    record Killing(Instant deadline, String reason) implements GenerationState {
        public Phase phase() { return Phase.KILLING; }
    }

    record Exited(Instant at, int code) implements GenerationState {
        public Phase phase() { return Phase.EXITED; }
    }
}
