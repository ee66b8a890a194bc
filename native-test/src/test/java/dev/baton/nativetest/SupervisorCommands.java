package dev.baton.nativetest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How the other supervisors a child-api service runs under are started, each with the same clean
 * environment as batond ({@link BatondLauncher#cleanEnvironment}): Perl's start_server, systemd's
 * systemd-socket-activate, and the socket holder that does what a systemd {@code .socket} unit does
 * on restart. Run them with {@link BatondProcess#start(String, ProcessBuilder)}, which collects the
 * output and tears the process tree down with TERM, then KILL.
 */
final class SupervisorCommands {
    static final Path START_SERVER = Path.of("/usr/bin/start_server");
    static final Path SOCKET_ACTIVATE = Path.of("/usr/bin/systemd-socket-activate");

    private SupervisorCommands() {}

    /**
     * A port on 127.0.0.1 that was free a moment ago, for tools that report only the address they
     * were given (start_server, systemd-socket-activate), so port 0 would leave the test blind.
     */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port", e);
        }
    }

    /**
     * {@code start_server --port=127.0.0.1:PORT --interval=S --signal-on-hup=TERM -- COMMAND}: on
     * SIGHUP it starts a new worker, waits {@code intervalSeconds}, then sends the old one SIGTERM.
     */
    static ProcessBuilder startServer(int port, int intervalSeconds, List<String> childCommand) {
        List<String> command = new ArrayList<>(List.of(existing(START_SERVER),
                "--port=127.0.0.1:" + port, "--interval=" + intervalSeconds,
                "--signal-on-hup=TERM", "--signal-on-term=TERM", "--"));
        command.addAll(childCommand);
        return builder(command);
    }

    /**
     * {@code systemd-socket-activate -l 127.0.0.1:P1 -l ... --fdname=N1:N2 COMMAND}: binds the ports,
     * waits for the first connection, then execs the command (same pid) with fds 3, 4... and
     * {@code LISTEN_FDS}, {@code LISTEN_PID}, {@code LISTEN_FDNAMES}.
     */
    static ProcessBuilder socketActivate(List<Integer> ports, List<String> names, List<String> childCommand) {
        List<String> command = new ArrayList<>(List.of(existing(SOCKET_ACTIVATE)));
        ports.forEach(port -> command.add("--listen=127.0.0.1:" + port));
        command.add("--fdname=" + String.join(":", names));
        command.addAll(childCommand);
        return builder(command);
    }

    /**
     * {@code perl socket-holder.pl 127.0.0.1:0 NAME COMMAND}: see that script. It prints
     * {@code socket-holder: listening on 127.0.0.1:PORT}, {@code started pid=P} and
     * {@code pid=P exited code=C}; SIGHUP restarts the service (stop, then start), SIGTERM stops both.
     */
    static ProcessBuilder socketHolder(String name, List<String> childCommand) {
        Path script = Artifacts.root().resolve("native-test/src/test/resources/socket-holder.pl");
        List<String> command = new ArrayList<>(List.of("perl", existing(script), "127.0.0.1:0", name, "--"));
        command.addAll(childCommand);
        return builder(command);
    }

    private static ProcessBuilder builder(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command);
        BatondLauncher.cleanEnvironment(builder);
        return builder;
    }

    private static String existing(Path tool) {
        if (!Files.isRegularFile(tool)) {
            throw new IllegalStateException(tool + " is missing: install "
                    + (tool.equals(START_SERVER) ? "libserver-starter-perl" : tool.equals(SOCKET_ACTIVATE) ? "systemd" : "it"));
        }
        return tool.toString();
    }
}
