package dev.baton.child;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.baton.protocol.Addresses;
import dev.baton.protocol.ListenFds;

/**
 * Reads the listeners a process inherited under the conventions of other supervisors:
 * systemd socket activation and Perl's start_server. Pure parsing, so it is unit tested.
 */
final class InheritedListeners {
    private InheritedListeners() {}

    /**
     * systemd: the sockets {@link ListenFds} finds for this process (its rules for a foreign
     * {@code LISTEN_PID}, unnamed and duplicate names), as listeners without an address.
     */
    static List<Listener> systemd(Map<String, String> env, long pid) {
        List<Listener> listeners = new ArrayList<>();
        for (ListenFds.Passed p : ListenFds.fromEnvironment(env, pid)) {
            listeners.add(new Listener(p.name(), null, p.fd()));
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
