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
    /** Its warm-up before READY (READY's WARMUP_MS, at most spawn to READY); -1 until READY, and when not known. */
    long warmupMs = -1;
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
    /** A child of a batond that died, waiting for its RESUME HELLO (the re-adopt window is open). */
    boolean readopting;
    /** Started by a batond that died: not batond's child, so its exit code is only what it reports. */
    boolean adopted;
    /** Did not reconnect within the re-adopt window: since when; null otherwise. */
    Instant orphanedSince;
    /** The exit code its DRAINED announced (EXIT=); -1 when none did. */
    int reportedExit = -1;
    /** {@link StartPriority#LOW} while it starts at low priority, then {@link StartPriority#RESTORED}; null when not used. */
    String startPriority;
    /** When its start priority was restored; null until then, and when it did not start low. */
    Instant priorityRestoredAt;

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
                exitCode(), inflight, served, inflightAtDrain, inflightAtExit, drainReported, killedProcesses, connection,
                warmupMs, state instanceof GenerationState.Proving p ? p.until() : null, readopting, orphanedSince, adopted,
                startPriority);
    }

    LifecycleState.GenerationRecord record() {
        Instant deadline = null;
        String reason = null;
        if (state instanceof GenerationState.Starting s) {
            deadline = s.readyDeadline();
        } else if (state instanceof GenerationState.Connected c) {
            deadline = c.readyDeadline();
        } else if (state instanceof GenerationState.Proving p) {
            deadline = p.until();
        } else if (state instanceof GenerationState.Draining d) {
            deadline = d.deadline();
        } else if (state instanceof GenerationState.Killing k) {
            deadline = k.deadline();
            reason = k.reason();
        }
        return new LifecycleState.GenerationRecord(number, token, pid, phase(), deadline, reason, spawnedAt, readyAt,
                drainStartedAt, exitedAt(), exitCode(), connection, servicePid, inflight, served, inflightAtDrain,
                inflightAtExit, drainReported, killedProcesses, warmupMs, startPriority);
    }

    /** A generation as another image of batond left it. */
    static Generation of(LifecycleState.GenerationRecord r) {
        GenerationState state = switch (r.phase()) {
            case STARTING -> new GenerationState.Starting(required(r, r.deadline()));
            case CONNECTED -> new GenerationState.Connected(required(r, r.deadline()));
            case PROVING -> new GenerationState.Proving(required(r, r.deadline()));
            case SERVING -> new GenerationState.Serving();
            case DRAINING -> new GenerationState.Draining(required(r, r.deadline()));
            case KILLING -> new GenerationState.Killing(required(r, r.deadline()), r.reason() == null ? "" : r.reason());
            case EXITED -> new GenerationState.Exited(required(r, r.exitedAt()), r.exitCode() == null ? -1 : r.exitCode());
        };
        Generation g = new Generation(r.number(), r.token(), r.pid(), r.spawnedAt(), state);
        g.readyAt = r.readyAt();
        g.drainStartedAt = r.drainStartedAt();
        g.connection = r.connection();
        g.servicePid = r.servicePid();
        g.inflight = r.inflight();
        g.served = r.served();
        g.inflightAtDrain = r.inflightAtDrain();
        g.inflightAtExit = r.inflightAtExit();
        g.drainReported = r.drainReported();
        g.killedProcesses = r.killedProcesses();
        g.warmupMs = r.warmupMs();
        g.startPriority = r.startPriority();
        return g;
    }

    private static Instant required(LifecycleState.GenerationRecord r, Instant instant) {
        if (instant == null) {
            throw new IllegalArgumentException("gen=" + r.number() + " in phase " + r.phase() + " has no deadline or exit time");
        }
        return instant;
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
            case PROVING -> from == Phase.CONNECTED;
            case SERVING -> from == Phase.CONNECTED || from == Phase.PROVING;
            case DRAINING -> from == Phase.SERVING || from == Phase.PROVING || from == Phase.STARTING || from == Phase.CONNECTED;
            case KILLING -> from == Phase.STARTING || from == Phase.CONNECTED;
            case EXITED -> from != Phase.EXITED;
        };
    }

    @Override
    public String toString() {
        return "gen=" + number + " pid=" + pid;
    }
}
