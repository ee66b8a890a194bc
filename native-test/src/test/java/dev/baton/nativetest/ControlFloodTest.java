package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 200 idle connections to the control socket: batond serves at most 32 at once (a thread each),
 * makes room by dropping the oldest idle one, so that an operator's {@code batonctl status} is
 * answered meanwhile, drops the rest at the 5 s read timeout, and comes back to its idle
 * threads and descriptors, logging a bounded number of lines.
 */
class ControlFloodTest {
    private static final int IDLE_CONNECTIONS = 200;
    /** ControlServer.MAX_CONNECTIONS. */
    private static final int CAP = 32;
    private static final Duration EVENT = Duration.ofSeconds(60);
    private static final Pattern DROPPED = Pattern.compile("control(:| connection) .*dropped");

    @Test
    @Timeout(240)
    void idleControlClientsAreCappedAndDropped() throws Exception {
        try (BatondProcess batond = BatondProcess.startWithHello("ControlFloodTest")) {
            Path control = Path.of(batond.awaitLine(BatondLines.STARTED, BatondProcess.STARTUP).group(3));
            batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);
            BatonctlCommand.Result first = BatonctlCommand.run(control, "status");
            assertEquals(0, first.exitCode(), first::toString);
            ProcStatus idle = ProcStatus.of(batond.pid());
            System.out.println("idle: " + idle);

            try (HeldConnections held = HeldConnections.open(control, IDLE_CONNECTIONS)) {
                ProcStatus flooded = ProcStatus.of(batond.pid());
                System.out.println("with " + IDLE_CONNECTIONS + " idle control connections: " + flooded);
                assertTrue(flooded.threads() <= idle.threads() + CAP + 2,
                        () -> "threads beyond the cap: idle " + idle + ", now " + flooded);

                BatonctlCommand.Result status = BatonctlCommand.run(control, "status");
                assertEquals(0, status.exitCode(), status::toString);
                assertTrue(status.stdout().contains("serving gen=1"), status::toString);

                long answered = held.awaitClosedByPeer(EVENT, () -> batond.output().tail(20));
                assertTrue(answered > 0, "dropped clients are told why");
            }

            ProcStatus after = ProcStatus.of(batond.pid());
            long deadline = System.nanoTime() + EVENT.toNanos();
            while ((after.threads() > idle.threads() || after.fds() > idle.fds()) && System.nanoTime() < deadline) {
                Thread.sleep(100); // polling /proc, bounded by the deadline
                after = ProcStatus.of(batond.pid());
            }
            System.out.println("after: " + after);
            ProcStatus settled = after;
            assertTrue(settled.threads() <= idle.threads(), () -> "threads left: idle " + idle + ", after " + settled);
            assertTrue(settled.fds() <= idle.fds(), () -> "descriptors leaked: idle " + idle + ", after " + settled);
            assertEquals(1, BatonctlCommand.run(control, "status", "--json").json().get("serving_generation"));

            batond.signal("TERM");
            assertEquals(0, batond.waitFor(EVENT), () -> batond.output().tail(40));
            batond.output().awaitEnd(Duration.ofSeconds(10));
            int dropped = batond.countLines(DROPPED);
            assertTrue(dropped >= 1 && dropped <= 20, () -> dropped + " lines about dropped control connections:\n"
                    + batond.output().tail(40));
            assertEquals(0, batond.countLines(BatondLines.STACK_FRAME), () -> batond.output().tail(40));
        }
    }
}
