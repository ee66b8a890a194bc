package dev.baton.nativetest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** What a process holds right now, from /proc: open descriptors, threads, resident memory. */
record ProcessFootprint(long pid, int fds, int threads, long rssKiB) {

    static ProcessFootprint of(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
            int fdCount = (int) fds.count();
            int threads = -1;
            long rss = -1;
            for (String line : Files.readAllLines(proc.resolve("status"))) {
                if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.substring("Threads:".length()).trim());
                } else if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.substring("VmRSS:".length()).replace("kB", "").trim());
                }
            }
            return new ProcessFootprint(pid, fdCount, threads, rss);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/" + pid + " (is the process gone?)", e);
        }
    }

    @Override
    public String toString() {
        return "pid " + pid + ": " + fds + " fds, " + threads + " threads, " + rssKiB / 1024 + " MiB resident";
    }
}
