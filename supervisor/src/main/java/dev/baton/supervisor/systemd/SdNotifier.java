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
