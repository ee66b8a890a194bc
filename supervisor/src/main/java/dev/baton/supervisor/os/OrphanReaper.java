package dev.baton.supervisor.os;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * As PID 1 of a pid namespace (a container), batond inherits every orphaned process there
 * and must reap them, or zombies pile up. It reaps only zombies that are not its own
 * generations: those the JDK reaps itself (waitpid on their pid) to learn their exit code.
 */
public final class OrphanReaper {
    private final Path proc;
    private final Native nat;
    private final long ownPid;

    public OrphanReaper(Path proc, Native nat) {
        this.proc = proc;
        this.nat = nat;
        // Our pid as this /proc numbers processes (it is 1 only when /proc is the namespace's own).
        long self;
        try {
            self = Long.parseLong(Files.readSymbolicLink(proc.resolve("self")).toString());
        } catch (IOException | RuntimeException e) {
            self = ProcessHandle.current().pid();
        }
        this.ownPid = self;
    }

    /** Reaps zombie children of batond outside {@code generations}; returns their pids. */
    public List<Long> reap(Set<Long> generations) {
        List<Long> reaped = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(proc, "[0-9]*")) {
            for (Path entry : entries) {
                long pid = Long.parseLong(entry.getFileName().toString());
                if (!generations.contains(pid) && isZombieChild(entry.resolve("stat")) && nat.reap(pid)) {
                    reaped.add(pid);
                }
            }
        } catch (IOException e) {
            // /proc unreadable: nothing to do, the next tick tries again
        }
        return reaped;
    }

    /** A zombie whose parent is batond: the process went away, and only its exit status is left to collect. */
    private boolean isZombieChild(Path stat) {
        return ProcStat.read(stat).map(p -> p.zombie() && p.parent() == ownPid).orElse(false);
    }
}
