package dev.baton.supervisor.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.baton.protocol.Frame;
import dev.baton.supervisor.control.ControlCommands;
import dev.baton.supervisor.control.StatusReport;
import dev.baton.supervisor.handoff.ChildFrames;
import dev.baton.supervisor.log.UtcTime;
import dev.baton.supervisor.upgrade.ImageState;
import dev.baton.supervisor.upgrade.StateCodec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * --min-ready: after the new generation's READY the old one keeps serving, unsignalled, for the
 * window; the new one exiting or saying NOT_READY inside it is a rollback.
 */
class MinReadyWindowTest {
    static final int UID = 1000;
    static final Duration WINDOW = Duration.ofSeconds(3);
    static final long GEN1 = 1000;
    static final long GEN2 = 1001;

    FakeActions os;
    Supervisor sup;
    int connections;
    final List<Map<String, Object>> answers = new ArrayList<>();

    static Settings withMinReady(Duration minReady) {
        Settings s = SupervisorTest.config(1);
        return new Settings(s.readyTimeout(), s.drainTimeout(), s.restartBackoffMin(), s.restartBackoffMax(),
                s.maxDraining(), s.memoryCheck(), s.command(), minReady);
    }

    @BeforeEach
    void setUp() {
        os = new FakeActions();
        sup = new Supervisor(withMinReady(WINDOW), os, UID);
        sup.start();
        bringUpLatest();
    }

    int bringUpLatest() {
        int conn = ++connections;
        sup.handle(new Event.HandoffConnected(conn, os.lastPid(), UID));
        sup.handle(ChildFrames.event(conn, Frame.of("BATON", "1", "TOKEN", os.lastToken(), "PID", Long.toString(os.lastPid()))));
        sup.handle(ChildFrames.event(conn, Frame.of("READY", "1")));
        return conn;
    }

    /** reload --wait, gen=2 READY: inside its window now. Returns gen=2's connection. */
    int reloadIntoTheWindow() {
        new ControlCommands(sup).run("reload --wait", answers::add);
        int conn = bringUpLatest();
        assertTrue(os.signals.isEmpty(), "nobody is signalled at READY: " + os.signals);
        assertEquals(List.of(), answers, "the reload has not ended");
        return conn;
    }

    Map<String, Object> generation(int number) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> gens = (List<Map<String, Object>>) StatusReport.build(sup.snapshot()).get("generations");
        return gens.stream().filter(g -> g.get("generation").equals(number)).findFirst().orElseThrow();
    }

    @Test
    void firstStartServesAtOnce() {
        assertEquals(1, sup.snapshot().servingGeneration());
        assertEquals("serving", generation(1).get("state"));
    }

    @Test
    void windowEndsNormallyThenTheOldGenerationDrains() {
        reloadIntoTheWindow();
        assertEquals("proving", generation(2).get("state"));
        assertEquals(UtcTime.format(os.now.plus(WINDOW)), generation(2).get("min_ready_until"));
        assertEquals("serving", generation(1).get("state"));
        assertEquals(1, sup.snapshot().servingGeneration(), "the old generation serves until the window ends");
        assertTrue(os.scheduled.contains(new FakeActions.Scheduled(WINDOW, new Event.Deadline(2, Event.Deadline.Kind.MIN_READY))));
        assertTrue(os.notified.stream().anyMatch(n -> n.contains("proving for 3s beside gen=1")), os.notified.toString());

        os.now = os.now.plus(WINDOW);
        sup.handle(new Event.Deadline(2, Event.Deadline.Kind.MIN_READY));
        assertEquals(List.of(new FakeActions.Signal(GEN1, Sig.TERM)), os.signals);
        assertEquals(List.of("lower " + GEN1, "SIGTERM " + GEN1), os.calls.subList(os.calls.size() - 2, os.calls.size()),
                "the replaced generation drains at low priority");
        assertEquals(2, sup.snapshot().servingGeneration());
        assertNull(generation(2).get("min_ready_until"));
        sup.handle(new Event.ChildExited(1, GEN1, 0));
        assertEquals("succeeded", answers.get(0).get("outcome"));
    }

    @Test
    void exitInsideTheWindowRollsBackAndTheOldGenerationIsNeverSignalled() {
        reloadIntoTheWindow();
        os.now = os.now.plusSeconds(1);
        sup.handle(new Event.ChildExited(2, GEN2, 1));
        assertEquals("failed", answers.get(0).get("outcome"));
        assertEquals("gen=2 exited with code 1 1.00s after READY, inside --min-ready 3s", answers.get(0).get("reason"));
        assertEquals(1, sup.snapshot().servingGeneration());
        assertTrue(os.notified.get(os.notified.size() - 1).contains("STATUS=serving gen=1 pid=1000; last reload (gen=2) "
                + "rolled back: gen=2 exited with code 1"), os.notified.toString());
        assertEquals("gen=2 exited with code 1 1.00s after READY, inside --min-ready 3s",
                sup.backoff.record().lastFailure(), "the restart backoff counts it as a failure");
        sup.handle(new Event.Deadline(2, Event.Deadline.Kind.MIN_READY)); // stale
        assertEquals(List.of(), os.signals, "gen=1 never signalled");

        sup.handle(new Event.ReloadRequested("again"));
        assertEquals(3, os.spawned.size(), "the next reload starts as usual");
    }

    @Test
    void notReadyInsideTheWindowRollsBackAndDrainsTheNewGeneration() {
        int conn2 = reloadIntoTheWindow();
        sup.handle(ChildFrames.event(conn2, Frame.of("NOT_READY", "1", "REASON", "check 'db' failing")));
        assertEquals("failed", answers.get(0).get("outcome"));
        assertEquals("gen=2 reported not ready: check 'db' failing", answers.get(0).get("reason"));
        assertEquals(List.of(new FakeActions.Signal(GEN2, Sig.TERM)), os.signals, "the new one drains, the old one is untouched");
        assertEquals(List.of("lower " + GEN2, "SIGTERM " + GEN2), os.calls.subList(os.calls.size() - 2, os.calls.size()),
                "the rolled-back generation drains at low priority beside the serving one");
        assertEquals("draining", generation(2).get("state"));
        assertEquals(1, sup.snapshot().servingGeneration());
        sup.handle(new Event.Deadline(2, Event.Deadline.Kind.MIN_READY)); // stale
        sup.handle(new Event.Deadline(2, Event.Deadline.Kind.DRAIN));
        assertEquals(List.of(new FakeActions.Signal(GEN2, Sig.TERM), new FakeActions.Signal(GEN2, Sig.KILL)), os.signals,
                "killed after --drain-timeout as usual");
        sup.handle(new Event.ChildExited(2, GEN2, 137));
        assertEquals(1, sup.snapshot().servingGeneration());
        assertEquals(Reload.Outcome.FAILED, sup.snapshot().reloads().get(0).outcome(), "its exit does not change the outcome");
    }

    @Test
    void notReadyOutsideAWindowChangesNothing() {
        int conn1 = connections;
        sup.handle(ChildFrames.event(conn1, Frame.of("NOT_READY", "1", "REASON", "cache cold")));
        int conn2 = reloadIntoTheWindow();
        sup.handle(new Event.Deadline(2, Event.Deadline.Kind.MIN_READY));
        assertEquals(List.of(new FakeActions.Signal(GEN1, Sig.TERM)), os.signals);
        sup.handle(ChildFrames.event(conn1, Frame.of("NOT_READY", "1", "REASON", "draining")));
        sup.handle(ChildFrames.event(conn2, Frame.of("NOT_READY", "1")));
        assertEquals(List.of(new FakeActions.Signal(GEN1, Sig.TERM)), os.signals);
        assertEquals(List.of(), os.closedConnections);
        assertEquals(2, sup.snapshot().servingGeneration());
    }

    @Test
    void reloadDuringTheWindowIsQueuedUntilItEnds() {
        reloadIntoTheWindow();
        sup.handle(new Event.ReloadRequested("impatient"));
        assertEquals(2, os.spawned.size(), "queued");
        sup.handle(new Event.Deadline(2, Event.Deadline.Kind.MIN_READY));
        assertEquals(2, os.spawned.size(), "then waits for gen=1 to drain (--max-draining 1)");
        sup.handle(new Event.ChildExited(1, GEN1, 0));
        assertEquals(3, os.spawned.size(), "the queued reload runs");
    }

    @Test
    void shutdownDuringTheWindowDrainsBoth() {
        reloadIntoTheWindow();
        sup.handle(new Event.ShutdownRequested("SIGTERM"));
        assertEquals(List.of(new FakeActions.Signal(GEN1, Sig.TERM), new FakeActions.Signal(GEN2, Sig.TERM)), os.signals);
        assertTrue(os.calls.stream().noneMatch(c -> c.startsWith("lower")), "at shutdown nobody else serves: " + os.calls);
        assertEquals("aborted", answers.get(0).get("outcome"));
        sup.handle(new Event.Deadline(2, Event.Deadline.Kind.MIN_READY));
        sup.handle(new Event.ChildExited(2, GEN2, 0));
        assertNull(os.exitCode);
        sup.handle(new Event.ChildExited(1, GEN1, 0));
        assertEquals(0, os.exitCode);
    }

    @Test
    void upgradeDuringTheWindowWaitsForItsEnd() {
        reloadIntoTheWindow();
        List<UpgradeSnapshot> decided = new ArrayList<>();
        sup.upgrade("batonctl", decided::add);
        assertEquals(0, os.checks, "waits for the window");
        sup.handle(new Event.Deadline(2, Event.Deadline.Kind.MIN_READY));
        assertEquals(1, os.checks);
    }

    @Test
    void theWindowCrossesAnUpgradeOfBatond() {
        reloadIntoTheWindow();
        os.now = os.now.plusSeconds(1);
        LifecycleState state = StateCodec.decode(StateCodec.encode(new ImageState(sup.exportState(), List.of(),
                new ImageState.Handoff(java.nio.file.Path.of("/run/baton"), 3, Map.of(1, 5, 2, 6), 2),
                new ImageState.Control(java.nio.file.Path.of("/run/baton/control"), 4)))).lifecycle();
        FakeActions next = new FakeActions();
        next.now = os.now;
        next.spawned.addAll(os.spawned);
        Supervisor resumed = Supervisor.resume(withMinReady(WINDOW), next, UID, Monitor.NONE, state);
        resumed.resumed();
        assertTrue(next.scheduled.contains(new FakeActions.Scheduled(Duration.ofSeconds(2),
                new Event.Deadline(2, Event.Deadline.Kind.MIN_READY))), "the rest of the window: " + next.scheduled);
        resumed.handle(new Event.ChildExited(2, GEN2, 1));
        assertEquals(Reload.Outcome.FAILED, resumed.snapshot().reloads().get(0).outcome(), "still a rollback in the new image");
        assertEquals(List.of(), next.signals);
        assertEquals(1, resumed.snapshot().servingGeneration());
    }

    @Test
    void oldGenerationDyingInsideTheWindowLeavesTheNewOneServing() {
        reloadIntoTheWindow();
        sup.handle(new Event.ChildExited(1, GEN1, 137));
        assertEquals(2, sup.snapshot().servingGeneration());
        assertEquals("serving", generation(2).get("state"));
        assertEquals(2, os.spawned.size(), "no restart: gen=2 serves");
        sup.handle(new Event.Deadline(2, Event.Deadline.Kind.MIN_READY)); // stale
        assertEquals(List.of(), os.signals);
    }

    @Test
    void minReadyZeroDrainsTheOldGenerationAtReady() {
        os = new FakeActions();
        sup = new Supervisor(withMinReady(Duration.ZERO), os, UID);
        sup.start();
        bringUpLatest();
        sup.handle(new Event.ReloadRequested("r"));
        bringUpLatest();
        assertEquals(List.of(new FakeActions.Signal(GEN1, Sig.TERM)), os.signals);
        assertEquals(2, sup.snapshot().servingGeneration());
        assertTrue(os.scheduled.stream().noneMatch(s -> s.event() instanceof Event.Deadline d
                && d.kind() == Event.Deadline.Kind.MIN_READY));
    }
}
