package dev.baton.supervisor.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The fields batond reads from {@code /proc/PID/stat} (or a thread's {@code /proc/PID/task/TID/stat}): "PID (COMM) STATE PPID PGRP ...", where
 * COMM may itself contain ") ", so the fields are counted from the last ')'. {@code startTime} is
 * field 22, the process's start in clock ticks after boot: with the pid, it names one process
 * (a pid alone may have been reused).
 */
public record ProcStat(char state, long parent, long processGroup, long startTime) {
    /** Field 19 (nice) counted from field 3 (state), the first after the ')'. */
    private static final int NICE_INDEX = 19 - 3;

    /** Empty when the process went away while we looked, or the file is not what the kernel writes. */
    public static Optional<ProcStat> read(Path stat) {
        try {
            String s = Files.readString(stat);
            // After ") ": field 3 (state) is rest[0], so field N is rest[N - 3].
            String[] rest = s.substring(s.lastIndexOf(')') + 2).split(" ", 21);
            return Optional.of(new ProcStat(rest[0].charAt(0), Long.parseLong(rest[1]), Long.parseLong(rest[2]),
                    Long.parseLong(rest[19])));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The process {@code pid} under {@code proc}, if it runs (a zombie counts as gone). */
    public static Optional<ProcStat> of(Path proc, long pid) {
        return read(proc.resolve(Long.toString(pid)).resolve("stat")).filter(p -> !p.zombie());
    }

    /**
     * Field 19, the nice value: per thread on Linux (the thread group leader's in the process's
     * own file). Empty when the thread went away while we looked.
     */
    static OptionalInt nice(Path stat) {
        try {
            String s = Files.readString(stat);
            String[] rest = s.substring(s.lastIndexOf(')') + 2).split(" ", NICE_INDEX + 2);
            return OptionalInt.of(Integer.parseInt(rest[NICE_INDEX]));
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }

    public boolean zombie() {
        return state == 'Z';
    }
}
