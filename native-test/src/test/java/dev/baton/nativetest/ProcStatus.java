package dev.baton.nativetest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** What a process costs right now, from /proc: threads and resident memory (status), open descriptors (fd). */
record ProcStatus(int threads, long rssKiB, int fds) {
    static ProcStatus of(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            int threads = -1;
            long rss = -1;
            for (String line : Files.readAllLines(proc.resolve("status"))) {
                if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.substring("Threads:".length()).trim());
                } else if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.substring("VmRSS:".length()).replace("kB", "").trim());
                }
            }
            int fds;
            try (Stream<Path> list = Files.list(proc.resolve("fd"))) {
                fds = (int) list.count();
            }
            return new ProcStatus(threads, rss, fds);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc of pid " + pid, e);
        }
    }

    @Override
    public String toString() {
        return "threads=" + threads + " rss=" + (rssKiB / 1024) + "MiB fds=" + fds;
    }
}
