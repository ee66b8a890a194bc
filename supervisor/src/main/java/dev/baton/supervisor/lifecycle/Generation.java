package dev.baton.supervisor.lifecycle;

import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One child process group and its place in the lifecycle. Its {@link GenerationState} changes
 * only through {@link #moveTo}, which checks the transition and logs it once. Mutable, owned by
 * the loop; everything outside the lifecycle sees it as a {@link GenerationSnapshot}.
 */
public final class Generation {
    private static final Logger LOG = LoggerFactory.getLogger("batond");

    final int number;
    final String token;
    final long pid;
    final Instant spawnedAt;
    private GenerationState state;

    // The facts of its life, set by the supervisor on the loop thread.
    Instant readyAt;
    Instant drainStartedAt;
    /** Its handoff connection; -1 before HELLO and after the connection closed. */
    int connection = -1;
    /** The process that said HELLO: the leader itself, or a process a wrapper script started. */
    long servicePid = -1;
    /** The child's last INFLIGHT/SERVED report; -1 until it sends one. */
    long inflight = -1;
    long served = -1;
    /** In flight when the drain began (the child's DRAINED says, else its last report). */
    long inflightAtDrain = -1;
    /** Still in flight when it exited: 0 after a clean drain, -1 when unknown. */
    long inflightAtExit = -1;
    /** The child sent DRAINED: its own account of a finished drain. */
    boolean drainReported;
    /** Processes of its group that got SIGKILL: 0 when it ended on its own. */
    int killedProcesses;

    Generation(int number, String token, long pid, Instant spawnedAt, GenerationState initial) {
        this.number = number;
        this.token = token;
        this.pid = pid;
        this.spawnedAt = spawnedAt;
        this.state = initial;
    }

    GenerationState state() {
        return state;
    }

    Phase phase() {
        return state.phase();
    }

    boolean alive() {
        return state.phase() != Phase.EXITED;
    }

    /** When its last process ended; null while alive. */
    Instant exitedAt() {
        return state instanceof GenerationState.Exited e ? e.at() : null;
    }

    /** Its leader's exit code; null while alive. */
    Integer exitCode() {
        return state instanceof GenerationState.Exited e ? e.code() : null;
    }

    boolean drainedCleanly() {
        return snapshot().drainedCleanly();
    }

    GenerationSnapshot snapshot() {
        return new GenerationSnapshot(number, pid, servicePid, phase(), spawnedAt, readyAt, drainStartedAt, exitedAt(),
                exitCode(), inflight, served, inflightAtDrain, inflightAtExit, drainReported, killedProcesses, connection);
    }

    /** Moves to the next state, logging {@code gen=N pid=P <what>}. */
    void moveTo(GenerationState next, String what) {
        if (!allowed(state.phase(), next.phase())) {
            throw new IllegalStateException(this + ": " + state.phase() + " -> " + next.phase() + " is not a transition");
        }
        state = next;
        LOG.info("{} {}", this, what);
    }

    private static boolean allowed(Phase from, Phase to) {
        return switch (to) {
            case STARTING -> false;
            case CONNECTED -> from == Phase.STARTING;
            case SERVING -> from == Phase.CONNECTED;
            case DRAINING -> from == Phase.SERVING || from == Phase.STARTING || from == Phase.CONNECTED;
            case KILLING -> from == Phase.STARTING || from == Phase.CONNECTED;
            case EXITED -> from != Phase.EXITED;
        };
    }

    @Override
    public String toString() {
        return "gen=" + number + " pid=" + pid;
    }
}
