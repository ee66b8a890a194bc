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
 * examples/hello, unchanged, under Perl's start_server (libserver-starter-perl): start_server holds
 * the socket and passes it as {@code SERVER_STARTER_PORT=127.0.0.1:PORT=FD}; on SIGHUP it starts a
 * new worker, waits {@code --interval}, then sends the old one SIGTERM ({@code --signal-on-hup}).
 * 10 reloads under load: not one request fails, every old worker drains and exits 0.
 *
 * <p>start_server has no listener names: child-api names each listener after its {@code --port}
 * spec ({@code 127.0.0.1:8080}, or {@code 8080}), so a service asks for
 * {@code baton.listener("127.0.0.1:8080")}, or simply {@code baton.listener()} when it has one.
 */
class StartServerReloadUnderLoadTest {
    private static final int RELOADS = 10;
    /** Seconds start_server waits after starting a worker before it sends the old one SIGTERM. */
    private static final int INTERVAL = 2;
    /** Requests may wait in the accept queue while a JVM starts on a busy machine. */
    private static final Duration CLIENT_READ = Duration.ofSeconds(30);
    private static final Duration EVENT = Duration.ofSeconds(60);
    private static final Duration SEEN = Duration.ofSeconds(20);
    private static final Pattern WORKER_STARTED = Pattern.compile("starting new worker (\\d+)");
    private static final Pattern SERVER_CLOSED = Pattern.compile("hello server closed served=(\\d+)");

    /** start_server's line for an old worker's end; group 1 is the wait status (0: exited 0). */
    private static Pattern oldWorkerDied(long pid) {
        return Pattern.compile("old worker " + pid + " died, status:(\\d+)");
    }

    @Test
    @Timeout(240)
    void tenReloadsBySighupUnderLoadLoseNoRequest() throws Exception {
        int port = SupervisorCommands.freePort();
        ProcessBuilder command = SupervisorCommands.startServer(port, INTERVAL, Artifacts.helloCommand());
        try (BatondProcess starter = BatondProcess.start("StartServerReloadUnderLoadTest", command)) {
            long first = Long.parseLong(starter.awaitLine(WORKER_STARTED, EVENT).group(1));
            // The listener is named after start_server's --port spec.
            starter.awaitLine("hello baton: mode=START_SERVER generation=0 listeners=\\[127\\.0\\.0\\.1:" + port
                    + " \\(fd \\d+\\)\\]", EVENT);
            starter.awaitLine("hello serving generation=0 pid=" + first + " on 127\\.0\\.0\\.1:" + port, EVENT);

            List<Long> workers = new ArrayList<>(List.of(first));
            try (LoadClient load = LoadClient.start(port, "/", kinds(), CLIENT_READ)) {
                assertTrue(load.awaitPid(first, SEEN), () -> "no answer from the first worker: " + load.report());
                for (int reload = 1; reload <= RELOADS; reload++) {
                    long old = workers.get(workers.size() - 1);
                    BatondProcess.kill("HUP", starter.pid());
                    List<Matcher> started = starter.output().awaitCount(WORKER_STARTED, reload + 1, EVENT);
                    long fresh = Long.parseLong(started.get(reload).group(1));
                    workers.add(fresh);
                    Matcher died = starter.awaitLine(oldWorkerDied(old), EVENT);
                    assertEquals("0", died.group(1), () -> died.group() + ": the old worker did not exit 0");
                    assertTrue(load.awaitPid(fresh, SEEN), () -> "clients never saw worker " + fresh + ": " + load.report());
                }
                load.stop();
                LoadReport report = load.report();
                System.out.println("load during " + RELOADS + " start_server reloads: " + report);
                assertEquals(0, report.failures(), report::toString);
                assertTrue(report.ok() > 0, report::toString);
                assertEquals(new TreeSet<>(workers), load.pids(), "every worker answered, and no other process");
            }
            // Every old worker went through the drain: its server closed after in-flight work, then exit 0.
            List<Matcher> closed = starter.output().matches(SERVER_CLOSED);
            assertEquals(RELOADS, closed.size(), () -> starter.output().tail(60));
            closed.forEach(line -> assertTrue(Long.parseLong(line.group(1)) > 0, line.group()));

            BatondProcess.kill("TERM", starter.pid());
            long last = workers.get(workers.size() - 1);
            assertEquals("0", starter.awaitLine("worker " + last + " died, status:(\\d+)", EVENT).group(1));
            assertEquals(0, starter.waitFor(EVENT), () -> starter.output().tail(40));
        }
    }

    @Test
    @Timeout(60)
    void aServiceAsksForTheListenerByItsPortSpec() throws Exception {
        int port = SupervisorCommands.freePort();
        String spec = "127.0.0.1:" + port;
        ProcessBuilder command = SupervisorCommands.startServer(port, 1,
                childWith(FaultFile.testJvm(NamedListenerChild.class), spec));
        try (BatondProcess starter = BatondProcess.start("StartServerNamedListenerTest", command)) {
            starter.awaitLine("named-listener mode=START_SERVER", EVENT);
            starter.awaitLine("named-listener " + Pattern.quote(spec) + " fd=\\d+ address=" + Pattern.quote(spec), EVENT);
        }
    }

    private static List<String> childWith(List<String> command, String... args) {
        List<String> all = new ArrayList<>(command);
        all.addAll(List.of(args));
        return all;
    }

    private static List<ClientKind> kinds() {
        return List.of(ClientKind.NEW_CONNECTION, ClientKind.NEW_CONNECTION, ClientKind.KEEP_ALIVE, ClientKind.KEEP_ALIVE);
    }
}
