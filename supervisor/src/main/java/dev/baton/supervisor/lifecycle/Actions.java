package dev.baton.supervisor.lifecycle;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What the lifecycle asks of the world. {@link Supervisor} is plain Java over this
 * interface: unit tests drive it with a fake, batond with its RealActions.
 */
public interface Actions {
    Instant now();

    /** A fresh secret for one generation. */
    String newToken();

    /**
     * Starts a child; its end comes back as {@link Event.ChildExited}. Returns its pid. {@code low}:
     * at the low start priority of {@link #startPriority()}, until {@link #restorePriority}.
     */
    long spawn(int generation, String token, boolean low) throws IOException;

    /** Whether and how a reload's new generation starts at low CPU priority (--start-nice). */
    StartPriority startPriority();

    /**
     * Gives every thread of the child's process group batond's own priority back. Quick (reads of
     * /proc, one call per thread) and never fails: a thread that exited or was refused is logged.
     */
    void restorePriority(int generation, long pid);

    /**
     * Before a generation that another one replaces (or that is rolled back) gets its SIGTERM: it
     * drains at --drain-nice, so that its drain, its JIT and its exit take only the CPU the serving
     * generation leaves. One write where a cgroup or the kernel's autogroups decide; never fails
     * (logged). Not at batond's shutdown: then no other generation serves.
     */
    void lowerDrainPriority(int generation, long pid);

    /** What {@link #lowerDrainPriority} does, for the start line and status: "nice 19", "cpu.weight 1" or "off". */
    String drainPriority();

    /**
     * Signals the child's whole process group (a wrapper script and everything it started); false
     * when the group is gone. Counts nothing: the old generation's SIGTERM at a hand-over must not
     * wait for a scan of /proc.
     */
    boolean signal(long pid, Sig signal);

    /**
     * SIGKILL to the child's whole process group; returns how many processes got it (0 when the
     * group is gone), for the log and status. Only this one counts them.
     */
    int kill(long pid);

    /** Sends LISTENERS with the descriptors attached; returns the listener names sent. */
    String sendListeners(int connection, int generation) throws IOException;

    void closeConnection(int connection);

    /** Delivers the event to the loop after the delay. */
    void schedule(Duration delay, Event event);

    /** Why a second child would not fit in memory beside this one, if it would not. */
    Optional<String> memoryShortfall(long runningPid);

    /** Reaps zombies that are not batond's generations (batond as PID 1); returns how many. */
    int reapOrphans(java.util.Set<Long> generations);

    /** The kernel's listen-queue overflow and drop counters now. */
    ListenCounters listenCounters();

    /** The listeners batond holds. */
    java.util.List<Listener> listeners();

    /** Connections waiting in each listener's accept queue now, by name. */
    java.util.Map<String, Long> acceptQueues();

    /** The service manager that started batond (systemd), or one that hears nothing. */
    ServiceManager serviceManager();

    /** Log lines batond dropped because its output stalled, since it started. */
    long logLinesDropped();

    /** This image of batond: version, JVM, when it started. */
    BatondImage image();

    /**
     * Tries the image batond would exec ({@code --check-only}, under a timeout) off the loop thread;
     * the answer comes back as {@link Event.UpgradeChecked}.
     */
    void checkNewImage();

    /**
     * Stops (true) or restarts (false) reading the children's handoff frames: held, they wait in
     * the sockets for the next image instead of being read by this one and lost with it.
     */
    void holdHandoff(boolean held);

    /**
     * Writes {@code state} (with batond's descriptors) where the next image finds it and execs that
     * image in place: same pid, same children. Returns only when that failed, with nothing changed.
     */
    void replaceImage(LifecycleState state) throws IOException;

    /**
     * Watches a child of a batond that died: not batond's child, so its end is seen without
     * waitpid (pidfd, or /proc); it comes back as {@link Event.ChildExited} with code -1.
     */
    void watchAdopted(int generation, long pid);

    /** Asks a re-adopted child for the listeners it holds ({@code SEND_LISTENERS=1}); the answer is {@link Event.ListenersReturned}. */
    void requestListeners(int connection) throws IOException;

    /**
     * Checks each descriptor a child returned (a listening socket at the address batond's listener
     * of that name has) and holds the ones that pass as batond's listeners; closes the rest (all of
     * them when {@code wanted} is false: nobody asked). Returns what was taken, for the log.
     */
    String takeListeners(java.util.List<String> names, java.util.List<String> addresses, int[] fds, boolean wanted);

    /**
     * Binds each listener batond should hold and does not; the one line of why not, when one cannot
     * be (naming which of {@code suspects}, the live generations' pids, holds the port).
     */
    Optional<String> bindMissingListeners(java.util.Set<Long> suspects);

    /** Ends batond: closes listeners, removes the handoff socket, exits the JVM. */
    void exit(int code);
}
