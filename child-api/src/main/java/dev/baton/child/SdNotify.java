package dev.baton.child;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;

/** sd_notify(3): a datagram to $NOTIFY_SOCKET, for whatever systemd started directly (batond, or a service). */
public final class SdNotify {
    private SdNotify() {}

    /** Sends the state; does nothing when not started by systemd with Type=notify. */
    public static void notify(String state) throws IOException {
        String path = System.getenv("NOTIFY_SOCKET");
        if (path == null || path.isEmpty()) {
            return;
        }
        // A leading '@' names an abstract socket, whose name starts with a NUL byte.
        String address = path.startsWith("@") ? "\0" + path.substring(1) : path;
        try (UnixDatagramChannel channel = UnixDatagramChannel.open()) {
            channel.send(ByteBuffer.wrap(state.getBytes(StandardCharsets.UTF_8)), new UnixSocketAddress(address));
        }
    }
}
