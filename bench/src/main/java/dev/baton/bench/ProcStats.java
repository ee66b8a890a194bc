package dev.baton.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** A process's memory, descriptors and CPU time, read from /proc. */
final class ProcStats {
    /** USER_HZ: /proc/PID/stat counts CPU time in these ticks per second (100 on every Linux ABI in use). */
    static final int TICKS_PER_SECOND = 100;

    private ProcStats() {}

    /** Resident memory: total, anonymous (heap, metaspace, malloc) and file-backed (libjvm, CDS archive). */
    record Memory(long rssKb, long anonKb, long fileKb, int threads, int fds) {
        static Memory of(long pid) {
            String status = read(Path.of("/proc", Long.toString(pid), "status"));
            return new Memory(field(status, "VmRSS:"), field(status, "RssAnon:"), field(status, "RssFile:"),
                    (int) field(status, "Threads:"), ProcStats.fds(pid));
        }
    }

    static int fds(long pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list /proc/" + pid + "/fd: " + e.getMessage(), e);
        }
    }

    /** User plus system CPU time so far, in milliseconds. */
    static long cpuMillis(long pid) {
        String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
        // The command name may hold spaces and parentheses: the fields that follow start after the last ')'.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15)
        return ticks * 1000 / TICKS_PER_SECOND;
    }

    private static long field(String status, String name) {
        for (String line : status.split("\n")) {
            if (line.startsWith(name)) {
                return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException("no " + name + " in /proc/PID/status");
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }
}
