package dev.baton.supervisor.systemd;

import dev.baton.supervisor.lifecycle.ServiceManager;
import dev.baton.supervisor.os.Native;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * sd_notify(3) for batond: a datagram to {@code $NOTIFY_SOCKET} (READY=1, RELOADING=1, STATUS=...),
 * nothing when systemd did not ask for one. Sent through {@link Native}: the JDK's Unix sockets
 * cannot send datagrams, and child-api's SdNotify would load jnr-ffi into batond for it.
 */
public final class SdNotifier {
    private final String socket;
    private final Native nat;

    public SdNotifier(String socket, Native nat) {
        this.socket = socket == null || socket.isEmpty() ? null : socket;
        this.nat = nat;
    }

    void notify(String state) throws IOException {
        if (socket != null) {
            nat.sendDatagram(socket, state.getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * Puts each listener in systemd's file descriptor store ({@code FDSTORE=1}, {@code FDNAME=} its
     * name, the descriptor attached): when batond dies or is restarted, systemd keeps the socket open,
     * connections wait in its accept queue, and the next batond gets it back in LISTEN_FDS. Only for
     * sockets batond bound itself: those it got in LISTEN_FDS are systemd's already (a socket unit's,
     * or the store's). Needs {@code FileDescriptorStoreMax=} in the unit; without it systemd drops
     * them with a warning of its own. Returns the names stored; a failed send is logged, never thrown.
     */
    public java.util.List<String> storeListeners(java.util.List<dev.baton.supervisor.lifecycle.Listener> bound) {
        java.util.List<String> stored = new java.util.ArrayList<>();
        if (socket == null) {
            return stored;
        }
        for (dev.baton.supervisor.lifecycle.Listener l : bound) {
            if (!SdNotifyMessages.validFdName(l.name())) {
                org.slf4j.LoggerFactory.getLogger("batond").warn("listener {} not put in systemd's file descriptor store:"
                        + " FDNAME= allows no ':' in a name; give it one with --listen NAME=HOST:PORT", l.name());
                continue;
            }
            try {
                nat.sendDatagram(socket, SdNotifyMessages.fdStore(l.name()).getBytes(StandardCharsets.UTF_8), new int[] {l.fd()});
                stored.add(l.name());
            } catch (IOException e) {
                org.slf4j.LoggerFactory.getLogger("batond").warn("sd_notify FDSTORE=1 of listener {} failed: {}", l.name(), e.getMessage());
            }
        }
        return stored;
    }

    /** The lifecycle's news, worded for systemd and sent here; a failed send is logged, never thrown. */
    public ServiceManager messages() {
        if (socket == null) {
            return ServiceManager.NONE;
        }
        return new SdNotifyMessages(state -> {
            try {
                notify(state);
            } catch (IOException e) {
                org.slf4j.LoggerFactory.getLogger("batond").warn("sd_notify failed: {}", e.getMessage());
            }
        }, () -> System.nanoTime() / 1000); // HotSpot on Linux: clock_gettime(CLOCK_MONOTONIC)
    }
}
