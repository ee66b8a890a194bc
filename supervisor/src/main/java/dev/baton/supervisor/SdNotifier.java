package dev.baton.supervisor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * sd_notify(3) for batond: a datagram to {@code $NOTIFY_SOCKET} (READY=1, RELOADING=1, STATUS=...),
 * nothing when systemd did not ask for one. Sent through {@link Native}: the JDK's Unix sockets
 * cannot send datagrams, and child-api's SdNotify would load jnr-ffi into batond for it.
 */
final class SdNotifier {
    private final String socket;
    private final Native nat;

    SdNotifier(String socket, Native nat) {
        this.socket = socket == null || socket.isEmpty() ? null : socket;
        this.nat = nat;
    }

    void notify(String state) throws IOException {
        if (socket != null) {
            nat.sendDatagram(socket, state.getBytes(StandardCharsets.UTF_8));
        }
    }
}
