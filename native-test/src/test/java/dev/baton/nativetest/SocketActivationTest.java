package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * batond under systemd's own socket activation tool: {@code systemd-socket-activate} binds the
 * port, waits for the first connection, then execs batond with LISTEN_FDS/LISTEN_PID/LISTEN_FDNAMES.
 * batond adopts the socket by its name instead of binding, serves that first connection, and
 * reloads under load without a failed request.
 */
class SocketActivationTest {
    private static final Duration EVENT = Duration.ofSeconds(60);
    private static final int RELOADS = 5;

    @Test
    @Timeout(240)
    void adoptsTheNamedSocketAndReloadsUnderLoad() throws Exception {
        int port = freePort();
        List<String> args = new ArrayList<>(List.of("--listen", "http=127.0.0.1:" + port, "--"));
        args.addAll(Artifacts.helloCommand());
        try (BatondProcess batond = BatondProcess.start("SocketActivationTest", activated(port, args))) {
            batond.awaitLine("Listening on 127\\.0\\.0\\.1:" + port + " as 3\\.", BatondProcess.STARTUP);
            // systemd-socket-activate starts batond only now, for this connection, which waits in
            // the accept queue until generation 1 takes it.
            try (LoadClient load = LoadClient.start(port, "/", List.of(ClientKind.NEW_CONNECTION, ClientKind.NEW_CONNECTION,
                    ClientKind.KEEP_ALIVE, ClientKind.KEEP_ALIVE), Duration.ofSeconds(60))) {
                assertTrue(load.awaitGeneration(1, EVENT), load::toString);
                batond.awaitLine("listener http adopted from systemd: 127\\.0\\.0\\.1:" + port + " fd=3", Duration.ZERO);
                assertEquals(0, batond.countLines("bound to"), "nothing bound: the socket is systemd's");
                for (int generation = 2; generation <= RELOADS + 1; generation++) {
                    ReloadStep.within(EVENT).run(batond, load, generation);
                }
                load.stop();
                assertEquals(0, load.report().failures(), load::toString);
            }
            // The LISTEN_* variables were batond's: its children got the socket through the handoff.
            batond.awaitLine("baton: mode=BATOND generation=" + (RELOADS + 1), Duration.ZERO.plusSeconds(5));
            batond.signal("TERM");
            assertEquals(0, batond.waitFor(EVENT));
        }
    }

    @Test
    @Timeout(120)
    void withoutListenTheSocketKeepsSystemdsName() throws Exception {
        int port = freePort();
        List<String> args = new ArrayList<>(List.of("--"));
        args.addAll(Artifacts.helloCommand());
        try (BatondProcess batond = BatondProcess.start("SocketActivationTest-nolisten", activated(port, args))) {
            batond.awaitLine("Listening on 127\\.0\\.0\\.1:" + port + " as 3\\.", BatondProcess.STARTUP);
            try (LoadClient load = LoadClient.start(port, "/", List.of(ClientKind.NEW_CONNECTION), Duration.ofSeconds(60))) {
                assertTrue(load.awaitGeneration(1, EVENT), load::toString);
                load.stop();
                assertEquals(0, load.report().failures(), load::toString);
            }
            batond.awaitLine("listener http adopted from systemd", Duration.ZERO);
            batond.awaitLine("gen=1 pid=\\d+ fds sent: http", Duration.ZERO);
            batond.signal("TERM");
            assertEquals(0, batond.waitFor(EVENT));
        }
    }

    /** {@code systemd-socket-activate -l 127.0.0.1:PORT --fdname=http bin/batond ARGS}. */
    private static ProcessBuilder activated(int port, List<String> batondArgs) {
        ProcessBuilder builder = BatondLauncher.batond(List.of(), batondArgs);
        List<String> command = new ArrayList<>(List.of("systemd-socket-activate",
                "-l", "127.0.0.1:" + port, "--fdname=http"));
        command.addAll(builder.command());
        return builder.command(command);
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
