package dev.baton.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * systemd's socket activation variables (sd_listen_fds(3)), read the same way by batond (adopting
 * the sockets of a .socket unit) and by child-api (a service started by systemd without batond).
 * Pure parsing: what each side then does with the descriptors is its own business.
 *
 * <p>The rules, in order:
 * <ul>
 * <li>{@code LISTEN_PID} missing, or not {@code pid}: no sockets. The variables were meant for
 *     another process (the one systemd started), not inherited by this one.</li>
 * <li>{@code LISTEN_FDS} missing or blank: no sockets. Not a whole number from 0 to
 *     {@value #MAX_FDS}: {@link IllegalArgumentException}.</li>
 * <li>The sockets are descriptors {@value #SD_LISTEN_FDS_START}, 4, ... in order. The i-th name
 *     in {@code LISTEN_FDNAMES} (colon-separated, the .socket unit's {@code FileDescriptorName=})
 *     names the i-th socket; a missing or empty name, or systemd's default {@code unknown}, becomes
 *     {@code fd3}, {@code fd4}, ... Names beyond {@code LISTEN_FDS} are ignored.</li>
 * <li>Two sockets with the same name: {@link IllegalArgumentException}, since a listener is found
 *     by its name.</li>
 * </ul>
 */
public final class ListenFds {
    /** systemd passes the sockets from this descriptor on. */
    public static final int SD_LISTEN_FDS_START = 3;
    /** More sockets than this are taken for a mistake. */
    public static final int MAX_FDS = 1024;

    public static final String LISTEN_PID = "LISTEN_PID";
    public static final String LISTEN_FDS = "LISTEN_FDS";
    public static final String LISTEN_FDNAMES = "LISTEN_FDNAMES";

    /** One socket systemd passed: its name and its descriptor. */
    public record Passed(String name, int fd) {}

    private ListenFds() {}

    /** The sockets passed to process {@code pid}; empty when none were, or they were meant for another. */
    public static List<Passed> fromEnvironment(Map<String, String> env, long pid) {
        String listenPid = env.get(LISTEN_PID);
        String count = env.get(LISTEN_FDS);
        if (count == null || count.isBlank() || listenPid == null || !listenPid.trim().equals(Long.toString(pid))) {
            return List.of();
        }
        int n;
        try {
            n = Integer.parseInt(count.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(LISTEN_FDS + "='" + count + "' is not a number of sockets");
        }
        if (n < 0 || n > MAX_FDS) {
            throw new IllegalArgumentException(LISTEN_FDS + "=" + n + " is out of range 0-" + MAX_FDS);
        }
        String fdNames = env.get(LISTEN_FDNAMES);
        String[] names = fdNames == null || fdNames.isEmpty() ? new String[0] : fdNames.split(":", -1);
        List<Passed> passed = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int fd = SD_LISTEN_FDS_START + i;
            // systemd names an unnamed socket "unknown"; the fd number is more telling then.
            String name = i < names.length && !names[i].isEmpty() && !names[i].equals("unknown") ? names[i] : "fd" + fd;
            for (Passed p : passed) {
                if (p.name().equals(name)) {
                    throw new IllegalArgumentException(LISTEN_FDNAMES + " names two sockets '" + name
                            + "': give each FileDescriptorName= its own name");
                }
            }
            passed.add(new Passed(name, fd));
        }
        return passed;
    }
}
