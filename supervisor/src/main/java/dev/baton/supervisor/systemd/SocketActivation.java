package dev.baton.supervisor.systemd;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * systemd socket activation (sd_listen_fds(3)): when {@code LISTEN_PID} is this process,
 * {@code LISTEN_FDS} sockets start at fd 3, named by {@code LISTEN_FDNAMES} (the .socket unit's
 * {@code FileDescriptorName=}, colon-separated). Pure parsing, unit tested.
 */
public final class SocketActivation {
    static final int SD_LISTEN_FDS_START = 3;

    public record Passed(String name, int fd) {}

    private SocketActivation() {}

    /** The sockets passed to this process; empty when none were (or they were meant for another pid). */
    public static List<Passed> fromEnvironment(Map<String, String> env, long pid) {
        String listenPid = env.get("LISTEN_PID");
        String count = env.get("LISTEN_FDS");
        if (count == null || count.isBlank() || listenPid == null || !listenPid.trim().equals(Long.toString(pid))) {
            return List.of();
        }
        int n;
        try {
            n = Integer.parseInt(count.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("LISTEN_FDS='" + count + "' is not a number of sockets");
        }
        if (n < 0 || n > 1024) {
            throw new IllegalArgumentException("LISTEN_FDS=" + n + " is out of range");
        }
        String fdNames = env.get("LISTEN_FDNAMES");
        String[] names = fdNames == null || fdNames.isEmpty() ? new String[0] : fdNames.split(":", -1);
        List<Passed> passed = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int fd = SD_LISTEN_FDS_START + i;
            // systemd names an unnamed socket "unknown"; the fd number is more telling then.
            String name = i < names.length && !names[i].isEmpty() && !names[i].equals("unknown") ? names[i] : "fd" + fd;
            if (passed.stream().anyMatch(p -> p.name().equals(name))) {
                throw new IllegalArgumentException("LISTEN_FDNAMES names two sockets '" + name
                        + "': give each FileDescriptorName= its own name");
            }
            passed.add(new Passed(name, fd));
        }
        return passed;
    }
}
