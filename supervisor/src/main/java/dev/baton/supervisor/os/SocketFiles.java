package dev.baton.supervisor.os;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** The path of a Unix socket batond is about to bind: left behind by a batond that died, or still another's. */
public final class SocketFiles {
    private SocketFiles() {}

    /**
     * Makes {@code path} free for a new socket: a stale socket file (nothing answers on it) is
     * removed; one that a process still answers on is refused with {@code inUse}.
     */
    public static void claim(Path path, String inUse) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (answers(path)) {
            throw new IOException(inUse);
        }
        Files.delete(path);
    }

    /** A JDK channel is enough for this probe: no descriptor is needed. */
    private static boolean answers(Path path) {
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            return probe.isConnected();
        } catch (IOException e) {
            return false;
        }
    }
}
