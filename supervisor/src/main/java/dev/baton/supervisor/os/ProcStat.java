package dev.baton.supervisor.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The fields batond reads from {@code /proc/PID/stat}: "PID (COMM) STATE PPID PGRP ...", where
 * COMM may itself contain ") ", so the fields are counted from the last ')'.
 */
record ProcStat(char state, long parent, long processGroup) {
    /** Empty when the process went away while we looked, or the file is not what the kernel writes. */
    static Optional<ProcStat> read(Path stat) {
        try {
            String s = Files.readString(stat);
            String[] rest = s.substring(s.lastIndexOf(')') + 2).split(" ", 4);
            return Optional.of(new ProcStat(rest[0].charAt(0), Long.parseLong(rest[1]), Long.parseLong(rest[2])));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    boolean zombie() {
        return state == 'Z';
    }
}
