package dev.baton.child;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the listeners a process inherited under the conventions of other supervisors:
 * systemd socket activation and Perl's start_server. Pure parsing, so it is unit tested.
 */
final class InheritedListeners {
    /** systemd passes inherited sockets from this descriptor on. */
    static final int SD_LISTEN_FDS_START = 3;

    private InheritedListeners() {}

    /** systemd: {@code LISTEN_PID} must be this process, {@code LISTEN_FDS} descriptors from fd 3. */
    static List<Listener> systemd(Map<String, String> env, long pid) {
        String listenPid = env.get("LISTEN_PID");
        String count = env.get("LISTEN_FDS");
        if (listenPid == null || count == null || !listenPid.trim().equals(Long.toString(pid))) {
            return List.of();
        }
        int n;
        try {
            n = Integer.parseInt(count.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("LISTEN_FDS='" + count + "' is not a number");
        }
        String[] names = env.getOrDefault("LISTEN_FDNAMES", "").split(":", -1);
        List<Listener> listeners = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = i < names.length && !names[i].isEmpty() ? names[i] : "fd" + (SD_LISTEN_FDS_START + i);
            listeners.add(new Listener(name, null, SD_LISTEN_FDS_START + i));
        }
        return listeners;
    }

    /** start_server: {@code SERVER_STARTER_PORT=127.0.0.1:8080=3;8081=4}. */
    static List<Listener> startServer(Map<String, String> env) {
        String spec = env.get("SERVER_STARTER_PORT");
        if (spec == null || spec.isBlank()) {
            return List.of();
        }
        List<Listener> listeners = new ArrayList<>();
        for (String entry : spec.split(";")) {
            int eq = entry.lastIndexOf('=');
            if (eq <= 0) {
                throw new IllegalStateException("SERVER_STARTER_PORT entry '" + entry + "' is not ADDRESS=FD");
            }
            String address = entry.substring(0, eq);
            int fd;
            try {
                fd = Integer.parseInt(entry.substring(eq + 1));
            } catch (NumberFormatException e) {
                throw new IllegalStateException("SERVER_STARTER_PORT entry '" + entry + "' has no fd number");
            }
            InetSocketAddress parsed = null;
            if (address.matches("\\d+")) {
                parsed = new InetSocketAddress(Integer.parseInt(address));
            } else if (address.contains(":")) {
                parsed = Addresses.parse(address);
            } // else a Unix socket path: no InetSocketAddress for it
            listeners.add(new Listener(address, parsed, fd));
        }
        return listeners;
    }
}
