package dev.baton.supervisor.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code --start-nice}: a new generation starts at a high nice value and gets batond's own back
 * at READY. Linux keeps a nice value per thread, a new thread (or a process cloned or spawned
 * from it) takes its creator's, and exec keeps it. So the child is spawned from a short-lived
 * thread of batond that niced only itself: every thread the child's JVM creates starts niced,
 * and no thread of batond's stays so. The restore sets every thread of every process in the
 * child's group, again until a pass finds no new thread still niced (one created by a thread
 * already restored has batond's nice value from the start).
 *
 * <p>Where the kernel groups tasks by session (autogroup, {@code kernel.sched_autogroup_enabled=1},
 * for tasks in the root CPU cgroup), the CPU is shared between sessions first and a thread's nice
 * value counts only within its own session. Each child leads a session of its own, so there the
 * session's nice value ({@code /proc/PID/autogroup}) is set too: without it, nice 19 would change
 * nothing against the serving generation.
 */
public final class StartNice {
    /** Passes over the group's threads; a JVM creating threads as fast as they are restored still ends. */
    static final int MAX_PASSES = 10;
    static final int ESRCH = 3;

    private final Native nat;
    private final Path proc;
    /** Autogroup scheduling is on: a session's nice value matters, not only its threads'. Read once. */
    private final boolean autogroups;

    public StartNice(Native nat, Path proc) {
        this.nat = nat;
        this.proc = proc;
        String enabled;
        try {
            enabled = Files.readString(proc.resolve("sys/kernel/sched_autogroup_enabled")).strip();
        } catch (IOException e) {
            enabled = "0"; // a kernel without CONFIG_SCHED_AUTOGROUP
        }
        this.autogroups = enabled.equals("1");
    }

    public boolean autogroups() {
        return autogroups;
    }

    /**
     * Sets the nice value of the autogroup (the session) that {@code pid} is in, when autogroups
     * are on: null when done (or not needed), else why not. Going up, or down to 0 or above, needs
     * no privilege; a caller without CAP_SYS_ADMIN may change one only every 100 ms (EAGAIN).
     */
    public String setAutogroupNice(long pid, int nice) {
        if (!autogroups) {
            return null;
        }
        try (java.io.FileOutputStream out = new java.io.FileOutputStream(proc + "/" + pid + "/autogroup")) {
            out.write(Integer.toString(nice).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return null;
        } catch (IOException e) {
            return String.valueOf(e.getMessage());
        }
    }

    /** The nice value of the autogroup {@code pid} is in ("/autogroup-N nice X"); empty when unknown. */
    public java.util.OptionalInt autogroupNice(long pid) {
        try {
            String line = Files.readString(proc.resolve(pid + "/autogroup")).strip();
            return java.util.OptionalInt.of(Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1)));
        } catch (IOException | RuntimeException e) {
            return java.util.OptionalInt.empty();
        }
    }

    /**
     * Sets the autogroup nice value of the session of group {@code pgid}: through its leader, or,
     * the leader gone (a wrapper that exited), through another member. Null when done, or when no
     * process of the group is left (nothing to restore), else why not.
     */
    public String restoreAutogroup(long pgid, int nice) {
        if (!autogroups) {
            return null; // nothing to set, so no reason to look for the group's processes
        }
        // The leader first, on its own: it is almost always there, and finding the others reads all of /proc.
        // Only while it still leads the group: once the group is gone its pid may name another process.
        String why = null;
        if (new ProcStatField().read(proc + "/" + pgid + "/stat", ProcStatField.PROCESS_GROUP) == pgid) {
            why = setAutogroupNice(pgid, nice);
            if (why == null) {
                return null;
            }
        }
        for (long pid : groupMembers(pgid)) {
            if (pid == pgid || !Files.exists(proc.resolve(Long.toString(pid)))) {
                continue; // tried already, or gone
            }
            why = setAutogroupNice(pid, nice);
            if (why == null) {
                return null;
            }
        }
        return why;
    }

    /**
     * What restoring a generation did: its session ({@code autogroup}: null when set, or not
     * needed, else why not, with {@code autogroupNanos} it took), then its threads ({@code threads},
     * or {@code failure} if the scan threw), {@code nanos} in all.
     */
    public record GenerationRestore(String autogroup, long autogroupNanos, Restored threads, RuntimeException failure, long nanos) {}

    /**
     * Gives a generation that started low its priority back: the session first, then every thread
     * ({@link #restore}). Where autogroups decide, the session's one write is what counts against
     * the serving generation, and at READY the new one already serves; the scan of its threads
     * takes milliseconds, tens of them on a busy machine (under the benchmark's load 7-73 ms, 23
     * the median). With the session last, the new generation met its first clients at nice 19.
     */
    public GenerationRestore restoreGeneration(long pgid, int nice, int autogroupNice) {
        long began = System.nanoTime();
        String autogroup = restoreAutogroup(pgid, autogroupNice);
        long autogroupNanos = System.nanoTime() - began;
        try {
            Restored threads = restore(pgid, nice);
            return new GenerationRestore(autogroup, autogroupNanos, threads, null, System.nanoTime() - began);
        } catch (RuntimeException e) {
            return new GenerationRestore(autogroup, autogroupNanos, null, e, System.nanoTime() - began);
        }
    }

    /**
     * What one restore did, for its log line: {@code threads} set back, in {@code processes};
     * {@code gone} exited before they could be; {@code refused} by the kernel (the first errno).
     */
    public record Restored(int threads, int processes, int gone, int refused, int firstRefusal, int passes, boolean complete) {
        public String describe() {
            return threads + " thread(s) in " + processes + " process(es)"
                    + (gone > 0 ? ", " + gone + " gone meanwhile" : "")
                    + (refused > 0 ? ", " + refused + " refused (errno " + firstRefusal + ")" : "")
                    + ", " + passes + " pass(es)" + (complete ? "" : ", new threads still appearing");
        }

        /** Every thread there was got the value: none refused, and the last pass found no new one. */
        public boolean whole() {
            return refused == 0 && complete;
        }
    }

    /** Something that spawns a process and returns its pid. */
    public interface Spawn {
        long run() throws IOException;
    }

    /**
     * Runs {@code spawn} on a new thread that first raises its own nice value to {@code nice}, and
     * waits for it: the process it spawns starts at that nice value. If the thread cannot raise
     * it (no reason known to Linux), the child starts at batond's and the warning says so.
     */
    public long spawnAt(int nice, Spawn spawn) throws IOException {
        AtomicReference<Object> result = new AtomicReference<>();
        Thread spawner = new Thread(() -> {
            try {
                long tid = ownThreadId();
                int rc = nat.setThreadNice(tid, nice);
                if (rc != 0) {
                    org.slf4j.LoggerFactory.getLogger("batond").warn(
                            "cannot raise the spawning thread's nice value to {} (errno {}): the child starts at batond's", nice, rc);
                }
                long pid = spawn.run();
                // The child leads a new session: under autogroups, its threads' nice alone would not count.
                String why = setAutogroupNice(pid, nice);
                if (why != null) {
                    org.slf4j.LoggerFactory.getLogger("batond").warn(
                            "pid={}: cannot set its session's autogroup nice value to {}: {}", pid, nice, why);
                }
                result.set(pid);
            } catch (IOException | RuntimeException e) {
                result.set(e);
            }
        }, "spawn-niced");
        spawner.setDaemon(true);
        try {
            spawner.start();
        } catch (OutOfMemoryError e) {
            throw new IOException("cannot start a thread to spawn the child from: " + e.getMessage()); // no process started
        }
        boolean interrupted = false;
        while (true) {
            try {
                spawner.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the spawn itself is quick; its pid must not be lost
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Object r = result.get();
        if (r instanceof Long pid) {
            return pid;
        }
        if (r instanceof IOException e) {
            throw e;
        }
        throw (RuntimeException) r;
    }

    /** The calling thread's id: /proc/thread-self links to PID/task/TID. */
    long ownThreadId() throws IOException {
        return Long.parseLong(Files.readSymbolicLink(proc.resolve("thread-self")).getFileName().toString());
    }

    /**
     * Sets every thread of every process in group {@code pgid} to {@code nice}, pass after pass,
     * until a pass finds no new thread at another nice value, or {@link #MAX_PASSES} were made. A
     * thread that exits meanwhile is counted as gone; one the kernel refuses, as refused: neither
     * stops the rest. Runs on batond's loop: plain reads of /proc (no disk), one call per thread.
     */
    public Restored restore(long pgid, int nice) {
        ProcStatField stat = new ProcStatField();
        Set<Long> seen = new HashSet<>();
        Set<Long> processes = new HashSet<>();
        int threads = 0;
        int gone = 0;
        int refused = 0;
        int firstRefusal = 0;
        int passes = 0;
        boolean found = true;
        while (found && passes < MAX_PASSES) {
            passes++;
            found = false;
            for (long pid : groupMembers(pgid, stat)) {
                String task = proc + "/" + pid + "/task";
                for (long tid : ProcIds.in(task)) {
                    if (!seen.add(tid)) {
                        continue;
                    }
                    long current = stat.read(task + "/" + tid + "/stat", ProcStatField.NICE);
                    if (current == ProcStatField.NONE) {
                        gone++;
                        continue;
                    }
                    if (current == nice) {
                        continue; // started by a thread already restored, or never niced
                    }
                    found = true;
                    processes.add(pid);
                    int rc = nat.setThreadNice(tid, nice);
                    if (rc == 0) {
                        threads++;
                    } else if (rc == ESRCH) {
                        gone++;
                    } else if (refused++ == 0) {
                        firstRefusal = rc;
                    }
                }
            }
        }
        return new Restored(threads, processes.size(), gone, refused, firstRefusal, passes, !found);
    }

    /** The processes whose process group is {@code pgid}, the leader first (listed even when it has exited). */
    List<Long> groupMembers(long pgid) {
        return groupMembers(pgid, new ProcStatField());
    }

    private List<Long> groupMembers(long pgid, ProcStatField stat) {
        List<Long> members = new ArrayList<>();
        members.add(pgid); // first, listed even when gone, as before
        for (long pid : ProcessGroups.members(proc.toString(), pgid, stat)) {
            if (pid != pgid) {
                members.add(pid);
            }
        }
        return members;
    }

    /** The thread ids of a process now; none when it has gone. */
    List<Long> threads(long pid) {
        return ProcIds.in(proc + "/" + pid + "/task");
    }
}
