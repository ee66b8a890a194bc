package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * examples/hello under socket activation, restarted 10 times under load: what a systemd
 * {@code .socket} unit does on {@code systemctl restart}, played by socket-holder.pl because
 * systemd is not PID 1 here. The holder keeps the listening socket; each restart sends the
 * service SIGTERM, waits for it to exit, and starts a new one with fd 3, {@code LISTEN_FDS=1},
 * {@code LISTEN_PID} and {@code LISTEN_FDNAMES=http}.
 *
 * <p>Stop-then-start leaves a gap with no process accepting: connections made then wait in the
 * kernel's accept queue (slower answers, expected) and must all be served (no failure allowed).
 */
class SocketUnitRestartUnderLoadTest {
    private static final int RESTARTS = 10;
    /** A request may wait for a drain, then a JVM start. */
    private static final Duration CLIENT_READ = Duration.ofSeconds(30);
    private static final Duration EVENT = Duration.ofSeconds(60);
    private static final Duration SEEN = Duration.ofSeconds(30);
    /** Answers the load must have had from a service before it is restarted. */
    private static final long UNDER_LOAD = 300;
    private static final Pattern LISTENING = Pattern.compile("socket-holder: listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern STARTED = Pattern.compile("socket-holder: started pid=(\\d+)");
    private static final Pattern ANY_EXIT = Pattern.compile("socket-holder: pid=(\\d+) exited code=(.*)");
    private static final Pattern SERVER_CLOSED = Pattern.compile("hello server closed served=(\\d+)");

    private static Pattern exited(long pid) {
        return Pattern.compile("socket-holder: pid=" + pid + " exited code=(.*)");
    }

    @Test
    @Timeout(240)
    void tenRestartsUnderLoadLoseNoRequest() throws Exception {
        ProcessBuilder command = SupervisorCommands.socketHolder("http", Artifacts.helloCommand());
        try (BatondProcess holder = BatondProcess.start("SocketUnitRestartUnderLoadTest", command)) {
            int port = Integer.parseInt(holder.awaitLine(LISTENING, EVENT).group(1));
            long first = Long.parseLong(holder.awaitLine(STARTED, EVENT).group(1));
            holder.awaitLine("hello baton: mode=SYSTEMD generation=0 listeners=\\[http \\(fd 3\\)\\]", EVENT);
            holder.awaitLine("hello serving generation=0 pid=" + first + " on 127\\.0\\.0\\.1:" + port, EVENT);

            List<Long> services = new ArrayList<>(List.of(first));
            try (LoadClient load = LoadClient.start(port, "/", kinds(), CLIENT_READ)) {
                assertTrue(load.awaitPid(first, SEEN), () -> "no answer from the first service: " + load.report());
                for (int restart = 1; restart <= RESTARTS; restart++) {
                    // Each service carries real load before it is restarted, so SIGTERM finds requests in flight.
                    long wanted = load.report().ok() + UNDER_LOAD;
                    assertTrue(load.awaitSuccesses(wanted, SEEN), () -> "load stalled: " + load.report());
                    long old = services.get(services.size() - 1);
                    BatondProcess.kill("HUP", holder.pid());
                    Matcher exit = holder.awaitLine(exited(old), EVENT);
                    assertEquals("0", exit.group(1), () -> exit.group() + ": the old service did not drain to exit 0");
                    long fresh = Long.parseLong(holder.output().awaitCount(STARTED, restart + 1, EVENT).get(restart).group(1));
                    services.add(fresh);
                    // Serving, with the socket found by its name: only then is the next SIGTERM a drain.
                    holder.awaitLine("hello serving generation=0 pid=" + fresh + " on 127\\.0\\.0\\.1:" + port, EVENT);
                    assertTrue(load.awaitPid(fresh, SEEN), () -> "clients never saw service " + fresh + ": " + load.report());
                }
                load.stop();
                LoadReport report = load.report();
                System.out.println("load during " + RESTARTS + " socket-unit restarts: " + report);
                assertEquals(0, report.failures(), report::toString);
                assertTrue(report.ok() > 0, report::toString);
                assertEquals(new TreeSet<>(services), load.pids(), "every service answered, and no other process");
            }
            assertEquals(RESTARTS + 1, holder.countLines("hello baton: mode=SYSTEMD generation=0 listeners=\\[http \\(fd 3\\)\\]"));
            List<Matcher> closed = holder.output().matches(SERVER_CLOSED);
            assertEquals(RESTARTS, closed.size(), () -> holder.output().tail(60));
            closed.forEach(line -> assertTrue(Long.parseLong(line.group(1)) > 0, line.group()));

            BatondProcess.kill("TERM", holder.pid());
            assertEquals(0, holder.waitFor(EVENT), () -> holder.output().tail(40));
            List<Matcher> exits = holder.output().matches(ANY_EXIT);
            assertEquals(RESTARTS + 1, exits.size(), () -> holder.output().tail(60));
            exits.forEach(exit -> assertEquals("0", exit.group(2), exit.group()));
        }
    }

    private static List<ClientKind> kinds() {
        return List.of(ClientKind.NEW_CONNECTION, ClientKind.NEW_CONNECTION, ClientKind.KEEP_ALIVE, ClientKind.KEEP_ALIVE);
    }
}
