package dev.baton.supervisor.lifecycle;

import dev.baton.supervisor.control.StatusReport;

import dev.baton.supervisor.control.ControlCommands;
import dev.baton.supervisor.handoff.ChildFrames;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.baton.protocol.Frame;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What batonctl, sd_notify and metrics see of the lifecycle, against {@link FakeActions}: when a
 * {@code reload --wait} is answered and with what evidence, and the service manager's messages.
 */
public class ReloadTrackingTest {
    FakeActions os;
    Supervisor sup;
    List<Map<String, Object>> answers;
    int connections;

    @BeforeEach
    void setUp() {
        os = new FakeActions();
        sup = new Supervisor(SupervisorTest.config(1), os, SupervisorTest.UID);
        answers = new ArrayList<>();
        sup.start();
        bringUpLatest();
    }

    int bringUpLatest() {
        int conn = ++connections;
        sup.handle(new Event.HandoffConnected(conn, os.lastPid(), SupervisorTest.UID));
        sup.handle(ChildFrames.event(conn, Frame.of("BATON", "1", "TOKEN", os.lastToken(), "PID", Long.toString(os.lastPid()))));
        os.now = os.now.plusMillis(1200);
        sup.handle(ChildFrames.event(conn, Frame.of("READY", "1")));
        return conn;
    }

    void control(String command) {
        new ControlCommands(sup).run(command, answers::add);
    }

    @Test
    void reloadWaitIsAnsweredOnlyWhenTheOldGenerationHasExitedWithTheEvidence() {
        int conn1 = connections;
        long gen1 = os.lastPid();
        sup.handle(ChildFrames.event(conn1, Frame.of("INFLIGHT", "14", "SERVED", "5000")));
        os.counters = new ListenCounters(7, 9);
        control("reload --wait");
        bringUpLatest();
        assertTrue(answers.isEmpty(), "not before the old generation exited");
        sup.handle(ChildFrames.event(conn1, Frame.of("DRAINED", "1", "SERVED", "5321", "INFLIGHT_AT_DRAIN", "14",
                "ABANDONED", "0", "DRAIN_MS", "800", "CLOSED", "db")));
        os.now = os.now.plusMillis(800);
        sup.handle(new Event.ChildExited(1, gen1, 0));

        assertEquals(1, answers.size());
        Map<String, Object> r = answers.get(0);
        assertEquals("succeeded", r.get("outcome"));
        assertEquals(true, r.get("ok"));
        assertEquals(true, r.get("clean"));
        assertEquals(2000L, r.get("duration_ms"));
        Map<?, ?> fresh = (Map<?, ?>) r.get("new");
        assertEquals(2, fresh.get("generation"));
        assertEquals(1200L, fresh.get("ready_ms"));
        Map<?, ?> old = (Map<?, ?>) r.get("old");
        assertEquals(14L, old.get("inflight_at_drain"));
        assertEquals(0L, old.get("inflight_at_exit"));
        assertEquals(5321L, old.get("served"));
        assertEquals(0, old.get("exit_code"));
        assertEquals(800L, old.get("drain_ms"));
        Map<?, ?> kernel = (Map<?, ?>) r.get("kernel");
        assertEquals(0L, kernel.get("listen_overflows"));
        assertEquals(7L, kernel.get("listen_overflows_before"));
    }

    @Test
    void anOldGenerationKilledAtTheDeadlineIsNotClean() {
        long gen1 = os.lastPid();
        control("reload --wait");
        bringUpLatest();
        sup.handle(new Event.Deadline(1, Event.Deadline.Kind.DRAIN));
        sup.handle(new Event.ChildExited(1, gen1, 137));
        Map<String, Object> r = answers.get(0);
        assertEquals("succeeded", r.get("outcome"));
        assertEquals(false, r.get("clean"));
    }

    @Test
    void failedRefusedAndAbortedReloadsAreAnsweredAtOnce() {
        control("reload --wait");
        sup.handle(new Event.ChildExited(2, os.lastPid(), 3));
        assertEquals("failed", answers.get(0).get("outcome"));
        assertEquals("exited with code 3 before READY", answers.get(0).get("reason"));
        assertEquals(false, answers.get(0).get("ok"));

        os.memoryShortfall = Optional.of("not enough memory: 10 MiB available");
        control("reload --wait");
        assertEquals("refused", answers.get(1).get("outcome"));
        os.memoryShortfall = Optional.empty();

        control("reload --wait");
        sup.handle(new Event.ShutdownRequested("SIGTERM"));
        assertEquals("aborted", answers.get(2).get("outcome"));
    }

    @Test
    void aWaitDuringAReloadGetsTheReloadThatRunsAfterIt() {
        long gen1 = os.lastPid();
        sup.handle(new Event.ReloadRequested("SIGUSR2"));
        control("reload --wait"); // absorbed: answered by the queued reload, not this one
        bringUpLatest();          // gen 2 ready; gen 1 drains; the queued reload waits (--max-draining 1)
        sup.handle(new Event.ChildExited(1, gen1, 0));
        assertTrue(answers.isEmpty());
        long gen2 = os.lastPid() ;
        assertEquals(3, os.spawned.size(), "the queued reload started");
        bringUpLatest();
        sup.handle(new Event.ChildExited(2, gen2, 0));
        assertEquals(1, answers.size());
        assertEquals(3, ((Map<?, ?>) answers.get(0).get("new")).get("generation"));
    }

    @Test
    void serviceManagerHearsReadyReloadingReadyAndStopping() {
        long gen1 = os.lastPid();
        sup.handle(new Event.ReloadRequested("SIGUSR2"));
        long gen2 = os.lastPid();
        bringUpLatest();
        sup.handle(new Event.ChildExited(1, gen1, 0));
        sup.handle(new Event.ShutdownRequested("SIGTERM"));
        assertEquals(List.of(
                "EXTEND_TIMEOUT_USEC=65000000",
                "READY=1\nSTATUS=serving gen=1 pid=" + gen1,
                "RELOADING=1\nMONOTONIC_USEC=1000000\nSTATUS=reloading: starting gen=2, gen=1 serves",
                "EXTEND_TIMEOUT_USEC=65000000",
                "READY=1\nSTATUS=serving gen=2 pid=" + gen2 + "; last reload: gen=2 ready, gen=1 draining",
                "STATUS=serving gen=2 pid=" + gen2 + "; last reload: gen=2 succeeded in 1200ms",
                "STOPPING=1\nSTATUS=stopping: draining 1 generation(s)\nEXTEND_TIMEOUT_USEC=35000000"), os.notified);
    }

    @Test
    void watchdogOnlyWhileAChildServes() {
        sup.handle(new Event.WatchdogDue());
        assertEquals(1, os.notified.stream().filter("WATCHDOG=1"::equals).count());
        long gen1 = os.lastPid();
        sup.handle(new Event.ChildExited(1, gen1, 1)); // serving child died: nothing serves
        sup.handle(new Event.WatchdogDue());
        assertEquals(1, os.notified.stream().filter("WATCHDOG=1"::equals).count());
    }

    @Test
    void statusShowsGenerationsStatsAndReloads() {
        int conn1 = connections;
        sup.handle(ChildFrames.event(conn1, Frame.of("INFLIGHT", "3", "SERVED", "42")));
        Map<String, Object> status = StatusReport.build(sup.snapshot());
        assertEquals(1, status.get("serving_generation"));
        Map<?, ?> g = (Map<?, ?>) ((List<?>) status.get("generations")).get(0);
        assertEquals("serving", g.get("state"));
        assertEquals(3L, g.get("inflight"));
        assertEquals(42L, g.get("served"));
        control("status");
        assertEquals(1, answers.get(0).get("serving_generation"));
    }

    @Test
    void unknownCommandIsAnErrorAndChangesNothing() {
        control("frobnicate \u0001");
        assertEquals(false, answers.get(0).get("ok"));
        assertTrue(answers.get(0).get("error").toString().startsWith("unknown command 'frobnicate ?'"));
        assertEquals(1, os.spawned.size());
        // A notification is several lines ("STOPPING=1\nSTATUS=..."): look at each line.
        assertTrue(os.notified.stream().flatMap(String::lines).noneMatch("STOPPING=1"::equals), os.notified::toString);
    }

    @Test
    void restartsAreCounted() {
        sup.handle(new Event.ChildExited(1, os.lastPid(), 1));
        assertEquals(1, StatusReport.build(sup.snapshot()).get("child_restarts"));
        assertEquals(Duration.ZERO, os.scheduled.get(os.scheduled.size() - 1).delay());
    }
}
