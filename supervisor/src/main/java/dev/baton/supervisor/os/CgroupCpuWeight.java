package dev.baton.supervisor.os;

import dev.baton.supervisor.lifecycle.StartPriority;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The start priority through cgroup v2: where batond runs in a cgroup v2 subtree delegated to it
 * (systemd {@code Delegate=yes}), each generation gets a cgroup of its own, {@code gen-N}, beside
 * a leaf {@code batond} that batond moves itself into (a cgroup with controllers enabled for its
 * children may hold no process itself). A reload's new generation starts in a gen-N at
 * {@code cpu.weight} {@value #LOW}, and gets the default {@value #DEFAULT} at READY. Stronger than
 * nice: the weight holds for every thread and process of the generation, those it forks
 * included, against batond's and the serving generation's groups, and needs no privilege.
 *
 * <p>A cgroup v2 move takes the whole process, every thread of it. The child moves right after
 * its spawn returns; anything it forked before that is in batond's leaf still, and is moved too.
 */
public final class CgroupCpuWeight {
    public static final int LOW = 1;
    public static final int DEFAULT = 100;
    /** The leaf batond moves itself into. Found there at startup (after an upgrade), its parent is the subtree. */
    static final String LEAF = "batond";
    /** rmdir of an exited generation's cgroup: EBUSY while the kernel still counts a dying process. */
    static final int RMDIR_TRIES = 20;
    static final long RMDIR_RETRY_MS = 250;

    private final CgroupFs fs;
    private final Path subtree;
    private final Path proc;
    private final long ownPid;

    private CgroupCpuWeight(CgroupFs fs, Path subtree, Path proc, long ownPid) {
        this.fs = fs;
        this.subtree = subtree;
        this.proc = proc;
        this.ownPid = ownPid;
    }

    /**
     * Either the mechanism, set up, or why not (nothing changed then, or all undone that could be);
     * {@code failed}: a delegated subtree was found but a step of setting it up failed.
     */
    public record Setup(CgroupCpuWeight cgroup, String why, boolean failed) {
        static Setup no(String why) {
            return new Setup(null, why, false);
        }
    }

    /**
     * Detects a delegated cgroup v2 subtree and sets it up: batond into the leaf, +cpu for the
     * subtree's children. {@code root} is the cgroupfs mount point (/sys/fs/cgroup), {@code proc} /proc.
     */
    public static Setup setUp(Path root, Path proc, long ownPid) {
        return setUp(CgroupFs.REAL, root, proc, ownPid);
    }

    static Setup setUp(CgroupFs fs, Path root, Path proc, long ownPid) {
        String own = null;
        try {
            for (String line : fs.read(proc.resolve("self/cgroup")).split("\n")) {
                if (line.startsWith("0::")) {
                    own = line.substring(3).strip();
                }
            }
        } catch (IOException e) {
            return Setup.no("cannot read " + proc.resolve("self/cgroup") + ": " + why(e));
        }
        if (own == null || !own.startsWith("/")) {
            return Setup.no("no cgroup v2 line (0::) in " + proc.resolve("self/cgroup") + ": cgroup v1 only");
        }
        String mounted;
        try {
            mounted = fsType(fs.read(proc.resolve("self/mountinfo")), root.toString());
        } catch (IOException e) {
            return Setup.no("cannot read " + proc.resolve("self/mountinfo") + ": " + why(e));
        }
        if (!"cgroup2".equals(mounted)) {
            return Setup.no(root + " is " + (mounted == null ? "not a mount point" : "a " + mounted + " mount")
                    + ", not cgroup2 (cgroup v1, or hybrid)");
        }
        Path dir = own.equals("/") ? root : root.resolve(own.substring(1));
        boolean inLeaf = dir.getFileName() != null && dir.getFileName().toString().equals(LEAF) && !dir.equals(root);
        Path subtree = inLeaf ? dir.getParent() : dir;
        if (!fs.isDirectory(subtree)) {
            return Setup.no("batond's cgroup " + subtree + " is not there (another cgroup namespace?)");
        }
        if (!fs.writable(subtree) || !fs.writable(subtree.resolve("cgroup.procs"))
                || !fs.writable(subtree.resolve("cgroup.subtree_control"))) {
            return Setup.no(subtree + " is not writable by batond (not delegated to it: Delegate=yes in its unit)");
        }
        List<String> controllers;
        try {
            controllers = words(fs.read(subtree.resolve("cgroup.controllers")));
        } catch (IOException e) {
            return Setup.no("cannot read " + subtree.resolve("cgroup.controllers") + ": " + why(e));
        }
        if (!controllers.contains("cpu")) {
            return Setup.no("the cpu controller is not available in " + subtree + " (cgroup.controllers: "
                    + String.join(" ", controllers) + ")");
        }
        if (!inLeaf) {
            List<String> others;
            try {
                others = words(fs.read(subtree.resolve("cgroup.procs")));
            } catch (IOException e) {
                return Setup.no("cannot read " + subtree.resolve("cgroup.procs") + ": " + why(e));
            }
            others.remove(Long.toString(ownPid));
            if (!others.isEmpty()) {
                // Not batond's alone (a shell, a wrapper that did not exec): moving them is not batond's business.
                return Setup.no("other processes share batond's cgroup " + subtree + " (pid " + String.join(",", others)
                        + "): it is not delegated to batond alone");
            }
        }
        CgroupCpuWeight cgroup = new CgroupCpuWeight(fs, subtree, proc, ownPid);
        String failed = inLeaf ? cgroup.enableCpu() : cgroup.moveIntoLeaf();
        return failed == null ? new Setup(cgroup, null, false) : new Setup(null, failed, true);
    }

    /** batond into its leaf, then +cpu; on any failure, batond back where it was. */
    private String moveIntoLeaf() {
        Path leaf = subtree.resolve(LEAF);
        boolean created;
        try {
            fs.mkdir(leaf);
            created = true;
        } catch (FileAlreadyExistsException e) {
            created = false;
        } catch (IOException e) {
            return "cannot create " + leaf + ": " + why(e);
        }
        try {
            fs.write(leaf.resolve("cgroup.procs"), Long.toString(ownPid));
        } catch (IOException e) {
            if (created) {
                quietRmdir(leaf);
            }
            return "cannot move batond into " + leaf + ": " + why(e);
        }
        String failed = enableCpu();
        if (failed != null) {
            try {
                fs.write(subtree.resolve("cgroup.procs"), Long.toString(ownPid));
                if (created) {
                    quietRmdir(leaf);
                }
            } catch (IOException e) {
                failed += "; batond stays in " + leaf + " (cannot move back: " + why(e) + ")";
            }
        }
        return failed;
    }

    private String enableCpu() {
        Path control = subtree.resolve("cgroup.subtree_control");
        try {
            if (words(fs.read(control)).contains("cpu")) {
                return null;
            }
            fs.write(control, "+cpu");
            return null;
        } catch (IOException e) {
            return "cannot enable the cpu controller in " + control + ": " + why(e);
        }
    }

    /** What the log and status say. */
    public StartPriority startPriority() {
        return new StartPriority(true, "cgroup cpu.weight " + LOW);
    }

    /** The delegated subtree: batond's leaf and every gen-N are in it. */
    public Path subtree() {
        return subtree;
    }

    Path generation(int generation) {
        return subtree.resolve("gen-" + generation);
    }

    /** Before the spawn: gen-N, with its weight. Null when done, else why not. */
    public String prepare(int generation, int weight) {
        Path dir = generation(generation);
        try {
            fs.mkdir(dir);
        } catch (FileAlreadyExistsException e) {
            // left by an earlier batond in this cgroup: used again
        } catch (IOException e) {
            return "cannot create " + dir + ": " + why(e);
        }
        try {
            fs.write(dir.resolve("cpu.weight"), Integer.toString(weight));
            return null;
        } catch (IOException e) {
            quietRmdir(dir);
            return "cannot set " + dir.resolve("cpu.weight") + " to " + weight + ": " + why(e);
        }
    }

    /**
     * Right after the spawn: the child into gen-N, and any process of its group (its pid) it forked
     * before that, still in batond's leaf. Null when done, else why not (then gen-N is removed).
     */
    public String place(int generation, long pid) {
        Path procs = generation(generation).resolve("cgroup.procs");
        try {
            fs.write(procs, Long.toString(pid));
        } catch (IOException e) {
            quietRmdir(generation(generation));
            return "cannot move it into " + procs + ": " + why(e);
        }
        try {
            for (String other : words(fs.read(subtree.resolve(LEAF).resolve("cgroup.procs")))) {
                if (!other.equals(Long.toString(ownPid))
                        && ProcStat.read(proc.resolve(other).resolve("stat")).map(ProcStat::processGroup).orElse(-1L) == pid) {
                    fs.write(procs, other);
                }
            }
        } catch (IOException e) {
            return "moved, but a process it forked meanwhile may not be: " + why(e);
        }
        return null;
    }

    /** At READY: the default weight. Null when done, else why not. */
    public String restore(int generation) {
        return weigh(generation, DEFAULT);
    }

    /** Before a replaced generation's drain (--drain-nice): the low weight. Null when done, else why not. */
    public String lower(int generation) {
        return weigh(generation, LOW);
    }

    private String weigh(int generation, int value) {
        Path weight = generation(generation).resolve("cpu.weight");
        try {
            fs.write(weight, Integer.toString(value));
            return null;
        } catch (IOException e) {
            return "cannot set " + weight + " to " + value + ": " + why(e);
        }
    }

    /**
     * The generation has exited: its cgroup goes, now or, while the kernel still counts a process
     * in it (EBUSY), on {@code timers} a bounded number of times. {@code warn} hears a give-up.
     */
    public void remove(int generation, ScheduledExecutorService timers, Consumer<String> warn) {
        remove(generation, timers, warn, 1);
    }

    private void remove(int generation, ScheduledExecutorService timers, Consumer<String> warn, int attempt) {
        Path dir = generation(generation);
        try {
            fs.rmdir(dir);
        } catch (NoSuchFileException e) {
            // never made (its placing failed), or started by an image that used nice
        } catch (IOException e) {
            if (attempt >= RMDIR_TRIES) {
                warn.accept("cannot remove " + dir + " after " + attempt + " tries: " + why(e));
                return;
            }
            try {
                timers.schedule(() -> remove(generation, timers, warn, attempt + 1), RMDIR_RETRY_MS, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
                // batond is exiting
            }
        }
    }

    private void quietRmdir(Path dir) {
        try {
            fs.rmdir(dir);
        } catch (IOException e) {
            // undo as far as it goes
        }
    }

    /** The type of what is mounted at {@code mountPoint} (the last mount there wins), or null. */
    static String fsType(String mountinfo, String mountPoint) {
        String type = null;
        for (String line : mountinfo.split("\n")) {
            // "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER"
            String[] fields = line.split(" ");
            int dash = List.of(fields).indexOf("-");
            if (fields.length > 4 && dash > 4 && dash + 1 < fields.length && fields[4].equals(mountPoint)) {
                type = fields[dash + 1];
            }
        }
        return type;
    }

    private static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        for (String w : text.strip().split("\\s+")) {
            if (!w.isEmpty()) {
                words.add(w);
            }
        }
        return words;
    }

    /** An I/O failure as the errno's words. */
    static String why(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return String.valueOf(e.getMessage());
    }
}
