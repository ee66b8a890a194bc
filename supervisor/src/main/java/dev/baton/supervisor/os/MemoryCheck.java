package dev.baton.supervisor.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A reload runs two children at once for a while. Before starting the second, compare the
 * memory the kernel says is available with what the serving child (and its descendants)
 * uses now: the new one will need about as much.
 */
public final class MemoryCheck {
    private final Path proc;
    private final double headroom;

    public MemoryCheck(Path proc, double headroom) {
        this.proc = proc;
        this.headroom = headroom;
    }

    public Optional<String> shortfall(long runningPid) {
        long availableKb = meminfoKb("MemAvailable:");
        if (availableKb < 0) {
            return Optional.empty(); // no /proc/meminfo: nothing to compare, do not block reloads
        }
        long usedKb = Stream.concat(Stream.of(runningPid),
                        ProcessHandle.of(runningPid).stream().flatMap(ProcessHandle::descendants).map(ProcessHandle::pid))
                .mapToLong(this::rssKb).sum();
        long neededKb = (long) (usedKb * headroom);
        if (neededKb > availableKb) {
            return Optional.of("not enough memory for a second child: the serving one uses " + usedKb / 1024
                    + " MiB, a new one needs about " + neededKb / 1024 + " MiB (--memory-headroom " + headroom
                    + "), only " + availableKb / 1024 + " MiB available");
        }
        return Optional.empty();
    }

    private long meminfoKb(String key) {
        return fieldKb(proc.resolve("meminfo"), key);
    }

    private long rssKb(long pid) {
        return Math.max(0, fieldKb(proc.resolve(Long.toString(pid)).resolve("status"), "VmRSS:"));
    }

    private static long fieldKb(Path file, String key) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.filter(l -> l.startsWith(key))
                    .map(l -> Words.of(l.substring(key.length())).get(0))
                    .mapToLong(Long::parseLong).findFirst().orElse(-1);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
