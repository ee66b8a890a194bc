package dev.baton.supervisor.os;

import dev.baton.supervisor.lifecycle.Sig;

import dev.baton.supervisor.lifecycle.Event;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * batond's children, each the leader of a process group (and session) of its own, so that a
 * wrapper script that does not {@code exec} and everything it starts are one unit: every signal
 * goes to the whole group, and a generation has exited only when its group is empty. The
 * leader's exit code is what {@link Event.ChildExited} reports.
 *
 * <p>A process that leaves the group itself (setsid, setpgid: a daemon that detaches) is out
 * of batond's reach, as it would be out of a shell's.
 */
public final class ChildProcesses {
    private static final Logger LOG = LoggerFactory.getLogger("batond");

    /** How often a group whose leader has exited is checked for processes left. */
    static final Duration GROUP_POLL = Duration.ofMillis(50);

    private final Native nat;
    private final Path proc;
    private final ScheduledExecutorService timers;
    private final Consumer<Event> events;
    /** Groups that still have a process, by leader pid (= process group id). */
    private final Map<Long, Integer> groups = new ConcurrentHashMap<>();

    public ChildProcesses(Native nat, Path proc, ScheduledExecutorService timers, Consumer<Event> events) {
        this.nat = nat;
        this.proc = proc;
        this.timers = timers;
        this.events = events;
    }

    /** Starts the generation's leader; its group's end comes back as {@link Event.ChildExited}. */
    public long spawn(int generation, List<String> argv, List<String> env) throws IOException {
        long pid = nat.spawn(argv, env);
        watch(generation, pid);
        return pid;
    }

    /**
     * As {@link #spawn}, the process started from a thread niced to {@code nice} (see {@link StartNice}):
     * only the spawn runs there; the thread that waits for the child is batond's, at batond's priority.
     */
    public long spawnNiced(int generation, List<String> argv, List<String> env, StartNice startNice, int nice)
            throws IOException {
        long pid = startNice.spawnAt(nice, () -> nat.spawn(argv, env));
        watch(generation, pid);
        return pid;
    }

    /**
     * Watches a child the previous image of batond started: after an exec in place it is still
     * batond's child, so waitpid works as for one spawned here.
     */
    public void adopt(int generation, long pid) {
        long self = ProcessHandle.current().pid();
        if (ProcStat.of(proc, pid).map(p -> p.parent() != self).orElse(false)) {
            watchAdopted(generation, pid); // re-adopted from a batond that died: waitpid cannot see it
        } else {
            watch(generation, pid);
        }
    }

    /** How often /proc is read for a re-adopted child when the kernel has no pidfd_open. */
    static final Duration PROC_POLL = Duration.ofMillis(100);

    /**
     * Watches a child of a batond that died: it was reparented (to init or a subreaper), so
     * waitpid cannot see it. A pidfd turns readable when it exits (Linux 5.3 on); without one,
     * /proc/PID/stat is read until the process with that start time is gone. Its end comes back
     * as {@link Event.ChildExited} with code -1: the lifecycle knows what the child reported.
     */
    public void watchAdopted(int generation, long pid) {
        groups.put(pid, generation);
        Thread waiter = new Thread(() -> awaitAdopted(generation, pid), "adopted-" + pid);
        waiter.setDaemon(true);
        waiter.start();
    }

    private void awaitAdopted(int generation, long pid) {
        int pidfd = -1;
        try {
            pidfd = nat.pidfdOpen(pid);
        } catch (IOException e) {
            // ESRCH: gone already; anything else: /proc below tells.
            LOG.debug("gen={} pid={}: no pidfd ({}); watching /proc", generation, pid, e.getMessage());
        }
        if (pidfd >= 0) {
            try {
                int[] fds = {pidfd};
                short[] events = {NativeSockets.POLLIN};
                short[] ready = {0};
                while (ready[0] == 0) {
                    nat.sockets().poll(fds, events, ready, 1, -1);
                }
            } catch (IOException e) {
                LOG.warn("gen={} pid={}: poll on its pidfd failed: {}; watching /proc", generation, pid, e.getMessage());
                awaitGoneFromProc(pid);
            } finally {
                nat.close(pidfd);
            }
        } else {
            awaitGoneFromProc(pid);
        }
        // batond as PID 1 is its parent again: reap it, or its zombie would keep its group alive.
        nat.reap(pid);
        awaitEmptyGroup(generation, pid, -1);
    }

    private void awaitGoneFromProc(long pid) {
        Long start = ProcStat.of(proc, pid).map(ProcStat::startTime).orElse(null);
        while (start != null && ProcStat.of(proc, pid).map(ProcStat::startTime).orElse(-1L).equals(start)) {
            try {
                Thread.sleep(PROC_POLL.toMillis()); // its own thread, never the loop: polling /proc is all there is
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void watch(int generation, long pid) {
        groups.put(pid, generation);
        // One blocked thread per live generation (a handful): waitpid on its own pid, never -1,
        // which would steal the exits of processes others wait for.
        Thread waiter = new Thread(() -> awaitLeader(generation, pid), "child-" + pid);
        waiter.setDaemon(true);
        waiter.start();
    }

    private void awaitLeader(int generation, long pid) {
        int code;
        try {
            code = nat.awaitExit(pid);
        } catch (IOException e) {
            LOG.error("gen={} pid={}: cannot learn its exit code: {}", generation, pid, e.getMessage());
            code = 255;
        }
        awaitEmptyGroup(generation, pid, code);
    }

    /** The leader is gone; the generation has exited once the rest of its group has too. */
    private void awaitEmptyGroup(int generation, long pid, int code) {
        boolean someLeft;
        try {
            someLeft = nat.signalGroup(pid, 0);
        } catch (IOException e) {
            someLeft = false; // EPERM: the group's pid now names someone else's; ours is gone
        }
        if (someLeft) {
            timers.schedule(() -> awaitEmptyGroup(generation, pid, code), GROUP_POLL.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        groups.remove(pid);
        events.accept(new Event.ChildExited(generation, pid, code));
    }

    /**
     * Sends the signal to every process of the child's group: one kill(2) and no read of /proc, so
     * that the old generation's SIGTERM at a hand-over waits for nothing. False when the group is
     * gone (and then nothing is sent: its id may name another group by now).
     */
    public boolean signal(long pid, Sig signal) {
        if (!groups.containsKey(pid)) {
            return false;
        }
        try {
            return nat.signalGroup(pid, signal.number);
        } catch (IOException e) {
            LOG.warn("cannot send SIG{} to the process group of pid={}: {}", signal, pid, e.getMessage());
            return false;
        }
    }

    /**
     * SIGKILL to every process of the child's group; returns how many there were (0 when the group
     * is gone), for the log and status. Counting them reads every process's /proc/PID/stat: done
     * here only, where batond's patience has run out, never for a SIGTERM.
     */
    public int kill(long pid) {
        if (!groups.containsKey(pid)) {
            return 0;
        }
        int members = members(pid);
        return signal(pid, Sig.KILL) ? Math.max(1, members) : 0;
    }

    /** Processes (zombies included) whose process group is {@code pgid}, from /proc/PID/stat. */
    int members(long pgid) {
        return ProcessGroups.members(proc.toString(), pgid, new ProcStatField()).size();
    }
}
