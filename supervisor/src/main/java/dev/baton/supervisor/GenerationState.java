package dev.baton.supervisor;

import java.time.Instant;

/**
 * What is true of one generation in each phase, holding only what is valid there.
 *
 * <p>Allowed transitions (anything else is a bug and throws):
 * <pre>
 *   STARTING  -> CONNECTED  HELLO with this generation's token; listeners sent
 *   CONNECTED -> SERVING    READY
 *   SERVING   -> DRAINING   a successor is READY, or batond shuts down
 *   STARTING, CONNECTED -> KILLING  ready timeout, handoff closed, reload or shutdown abandoned
 *   STARTING, CONNECTED -> DRAINING at shutdown
 *   any       -> EXITED     the process ended
 * </pre>
 */
sealed interface GenerationState {
    Phase phase();

    record Starting(Instant since, Instant readyDeadline) implements GenerationState {
        public Phase phase() { return Phase.STARTING; }
    }

    record Connected(Instant since, Instant readyDeadline, int connection) implements GenerationState {
        public Phase phase() { return Phase.CONNECTED; }
    }

    record Serving(Instant since, int connection) implements GenerationState {
        public Phase phase() { return Phase.SERVING; }
    }

    record Draining(Instant since, Instant deadline) implements GenerationState {
        public Phase phase() { return Phase.DRAINING; }
    }

    record Killing(Instant since, Instant deadline, String reason) implements GenerationState {
        public Phase phase() { return Phase.KILLING; }
    }

    record Exited(Instant at, int code) implements GenerationState {
        public Phase phase() { return Phase.EXITED; }
    }
}
