package dev.baton.supervisor.lifecycle;

import dev.baton.supervisor.control.ControlCommands;
import dev.baton.supervisor.control.StatusReport;
import dev.baton.supervisor.log.UtcTime;

import dev.baton.supervisor.handoff.ChildFrames;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.baton.protocol.Frame;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The lifecycle, driven by events against {@link FakeActions}: no processes, no sockets. */
public class SupervisorTest {
    static final int UID = 1000;

    FakeActions os;
    Supervisor sup;
    int connections;

    @BeforeEach
    void setUp() {
        os = new FakeActions();
        sup = new Supervisor(config(1), os, UID);
    }

    static Settings config(int maxDraining) {
        return new Settings(Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofSeconds(8),
                maxDraining, true, List.of("app"));
    }

    /** Connects the most recently spawned child, says HELLO and READY; returns its connection. */
    int bringUpLatest(int generation) {
        int conn = connect(os.lastToken(), os.lastPid());
        assertEquals(conn, os.listenersSentTo.get(os.listenersSentTo.size() - 1), "listeners sent to the child");
        sup.handle(ChildFrames.event(conn, Frame.of("READY", "1")));
        return conn;
    }

    int connect(String token, long pid) {
        int conn = ++connections;
        sup.handle(new Event.HandoffConnected(conn, pid, UID));
        sup.handle(ChildFrames.event(conn, Frame.of("BATON", "1", "TOKEN", token, "PID", Long.toString(pid))));
        return conn;
    }

    @Test
    void reloadDrainsTheOldGenerationOnlyAfterTheNewOneIsReady() {
        sup.start();
        bringUpLatest(1);
        long gen1 = os.lastPid();
        sup.handle(new Event.ReloadRequested("test"));
        assertEquals(2, os.spawned.size());
        int conn2 = connect(os.lastToken(), os.lastPid());
        assertTrue(os.signals.isEmpty(), "nothing is signalled before READY");
        sup.handle(ChildFrames.event(conn2, Frame.of("READY", "1")));
        assertEquals(List.of(new FakeActions.Signal(gen1, Sig.TERM)), os.signals);
        sup.handle(new Event.ChildExited(1, gen1, 0));
        assertNull(os.exitCode);
    }

    @Test
    void aReloadsNewGenerationStartsLowAndIsRestoredBeforeTheOldOneGetsSigterm() {
        sup.start();
        bringUpLatest(1);
        long gen1 = os.lastPid();
        sup.handle(new Event.ReloadRequested("test"));
        long gen2 = os.lastPid();
        assertEquals(List.of(false, true), os.spawnedLow, "only the generation beside a serving one starts low");
        java.util.Map<String, Object> starting = generationInStatus(2);
        assertEquals("low", starting.get("start_priority"));
        assertEquals("nice 19", StatusReport.build(sup.snapshot()).get("start_priority"));
        assertEquals("nice 19", StatusReport.build(sup.snapshot()).get("drain_priority"));
        int conn2 = connect(os.lastToken(), gen2);
        assertTrue(os.calls.isEmpty(), "nothing restored or signalled before READY: " + os.calls);
        sup.handle(ChildFrames.event(conn2, Frame.of("READY", "1")));
        assertEquals(List.of("restore " + gen2, "lower " + gen1, "SIGTERM " + gen1), os.calls);
        assertEquals("restored", generationInStatus(2).get("start_priority"));
        assertNull(generationInStatus(1).get("start_priority"), "generation 1 never started low");
    }

    @Test
    void aGenerationNotReadyWithinTheLowWindowGetsItsPriorityBackThenAndNotAgainAtReady() {
        sup.start();
        bringUpLatest(1);
        sup.handle(new Event.ReloadRequested("test"));
        long gen2 = os.lastPid();
        // --ready-timeout 60s: a quarter is 15s, capped at 2s.
        assertTrue(os.scheduled.contains(new FakeActions.Scheduled(Duration.ofSeconds(2),
                new Event.Deadline(2, Event.Deadline.Kind.PRIORITY))), os.scheduled::toString);
        os.now = os.now.plusSeconds(2);
        sup.handle(new Event.Deadline(2, Event.Deadline.Kind.PRIORITY));
        assertEquals(List.of("restore " + gen2), os.calls);
        assertEquals("restored", generationInStatus(2).get("start_priority"));
        os.now = os.now.plusSeconds(1);
        try (LogLines log = LogLines.capture()) {
            bringUpLatest(2);
            assertEquals(List.of("restore " + gen2, "lower 1000", "SIGTERM 1000"), os.calls, "READY restores nothing again");
            assertTrue(log.contains("gen=2 pid=" + gen2 + " ready in 3s; start priority already restored at 2s after spawn, not again"),
                    log::toString);
        }
        sup.handle(new Event.Deadline(2, Event.Deadline.Kind.PRIORITY)); // late: nothing
        assertEquals(3, os.calls.size());
    }

    @Test
    void theOldGenerationsSigtermComesBeforeTheMetricsOfTheNewOnesReady() {
        Monitor monitor = new Monitor() {
            @Override
            public void serving(GenerationSnapshot generation) {
                os.calls.add("serving gen=" + generation.number());
            }
        };
        sup = new Supervisor(config(1), os, UID, monitor);
        sup.start();
        bringUpLatest(1);
        sup.handle(new Event.ReloadRequested("test"));
        long gen2 = os.lastPid();
        bringUpLatest(2);
        assertEquals(List.of("serving gen=1", "restore " + gen2, "lower 1000", "SIGTERM 1000", "serving gen=2"), os.calls);
    }

    @Test
    void everyGenerationThatStartsLowIsRestoredOnceEarlyOrAtReady() {
        sup.start();
        bringUpLatest(1);
        sup.handle(new Event.ReloadRequested("early"));
        long gen2 = os.lastPid();
        sup.handle(new Event.Deadline(2, Event.Deadline.Kind.PRIORITY));
        bringUpLatest(2);
        sup.handle(new Event.ChildExited(1, 1000, 0));
        sup.handle(new Event.ReloadRequested("at READY"));
        long gen3 = os.lastPid();
        bringUpLatest(3);
        sup.handle(new Event.Deadline(3, Event.Deadline.Kind.PRIORITY)); // after READY: nothing
        assertEquals(List.of("restore " + gen2, "lower 1000", "SIGTERM 1000", "restore " + gen3, "lower " + gen2, "SIGTERM " + gen2),
                os.calls);
    }

    @Test
    void theLowWindowIsAQuarterOfTheReadyTimeoutAtMostTwoSeconds() {
        Supervisor quick = new Supervisor(new Settings(Duration.ofSeconds(3), Duration.ofSeconds(30), Duration.ofSeconds(1),
                Duration.ofSeconds(8), 1, true, List.of("app")), os, UID);
        assertEquals(Duration.ofMillis(750), quick.lowWindow());
        assertEquals(Duration.ofSeconds(2), sup.lowWindow());
    }

    @Test
    void withTheStartPriorityOffNothingStartsLowOrIsRestored() {
        os.startPriority = StartPriority.off("--start-nice 0");
        sup.start();
        bringUpLatest(1);
        sup.handle(new Event.ReloadRequested("test"));
        bringUpLatest(2);
        assertEquals(List.of(false, false), os.spawnedLow);
        assertEquals(List.of("lower 1000", "SIGTERM 1000"), os.calls, "the drain priority is not the start priority");
        assertNull(generationInStatus(2).get("start_priority"));
        assertEquals("off: --start-nice 0", StatusReport.build(sup.snapshot()).get("start_priority"));
    }

    @Test
    void aGenerationStartingLowIsRestoredAtOnceWhenTheServingOneDies() {
        sup.start();
        bringUpLatest(1);
        long gen1 = os.lastPid();
        sup.handle(new Event.ReloadRequested("test"));
        long gen2 = os.lastPid();
        sup.handle(new Event.ChildExited(1, gen1, 137));
        assertEquals(List.of("restore " + gen2), os.calls, "nothing serves: the starting one gets full priority");
        bringUpLatest(2);
        assertEquals(List.of("restore " + gen2), os.calls, "restored once");
    }

    @Test
    void aFailedStartBesideTheServingGenerationRestoresNothing() {
        sup.start();
        bringUpLatest(1);
        sup.handle(new Event.ReloadRequested("test"));
        long gen2 = os.lastPid();
        sup.handle(new Event.ChildExited(2, gen2, 3));
        assertTrue(os.calls.stream().noneMatch(c -> c.startsWith("restore")), os.calls::toString);
    }

    @SuppressWarnings("unchecked")
    private java.util.Map<String, Object> generationInStatus(int number) {
        List<java.util.Map<String, Object>> gens = (List<java.util.Map<String, Object>>) StatusReport.build(sup.snapshot()).get("generations");
        return gens.stream().filter(g -> g.get("generation").equals(number)).findFirst().orElseThrow();
    }

    @Test
    void childThatExitsBeforeReadyIsAbandonedAndTheNextReloadWorks() {
        sup.start();
        bringUpLatest(1);
        long gen1 = os.lastPid();
        sup.handle(new Event.ReloadRequested("test"));
        long gen2 = os.lastPid();
        sup.handle(new Event.ChildExited(2, gen2, 3));
        assertTrue(os.signals.stream().noneMatch(s -> s.pid() == gen1), "the serving child is left alone");
        sup.handle(new Event.ReloadRequested("again"));
        assertEquals(3, os.spawned.size());
        bringUpLatest(3);
        assertEquals(List.of(new FakeActions.Signal(gen1, Sig.TERM)), os.signals);
    }

    @Test
    void readyTimeoutKillsTheNewChildWithTermThenKill() {
        sup.start();
        bringUpLatest(1);
        sup.handle(new Event.ReloadRequested("test"));
        long gen2 = os.lastPid();
        sup.handle(new Event.Deadline(2, Event.Deadline.Kind.READY));
        assertEquals(List.of(new FakeActions.Signal(gen2, Sig.TERM)), os.signals);
        sup.handle(new Event.Deadline(2, Event.Deadline.Kind.KILL));
        assertEquals(new FakeActions.Signal(gen2, Sig.KILL), os.signals.get(1));
    }

    @Test
    void staleReadyDeadlineIsIgnored() {
        sup.start();
        bringUpLatest(1);
        sup.handle(new Event.Deadline(1, Event.Deadline.Kind.READY));
        assertTrue(os.signals.isEmpty());
    }

    @Test
    void wrongTokenAndReusedTokenAreRefusedWithoutListeners() {
        sup.start();
        String token = os.lastToken();
        int bad = connect("not-the-token", 4242);
        assertEquals(List.of(bad), os.closedConnections);
        int good = connect(token, os.lastPid());
        int second = connect(token, 4343);
        assertEquals(List.of(good), os.listenersSentTo, "only the first holder of the token gets fds");
        assertEquals(List.of(bad, second), os.closedConnections);
    }

    @Test
    void connectionFromAnotherUserIsRefused() {
        sup.start();
        sup.handle(new Event.HandoffConnected(7, 4242, UID + 1));
        assertEquals(List.of(7), os.closedConnections);
    }

    @Test
    void burstOfReloadsRunsTheCurrentOneAndExactlyOneMore() {
        sup.start();
        bringUpLatest(1);
        for (int i = 0; i < 10; i++) {
            sup.handle(new Event.ReloadRequested("burst"));
        }
        assertEquals(2, os.spawned.size());
        bringUpLatest(2);
        sup.handle(new Event.ChildExited(1, 1000, 0));
        assertEquals(3, os.spawned.size(), "one queued reload follows");
        bringUpLatest(3);
        sup.handle(new Event.ChildExited(2, 1001, 0));
        assertEquals(3, os.spawned.size(), "and no more");
    }

    @Test
    void reloadWaitsWhileTooManyGenerationsDrain() {
        sup.start();
        bringUpLatest(1);
        sup.handle(new Event.ReloadRequested("r1"));
        bringUpLatest(2); // gen 1 draining now
        sup.handle(new Event.ReloadRequested("r2"));
        assertEquals(2, os.spawned.size(), "waits for gen 1 to finish draining");
        sup.handle(new Event.ChildExited(1, 1000, 0));
        assertEquals(3, os.spawned.size());
    }

    @Test
    void servingChildDeathRestartsAtOnceThenWithBackoff() {
        sup.start();
        bringUpLatest(1);
        sup.handle(new Event.ChildExited(1, 1000, 137));
        assertEquals(new FakeActions.Scheduled(Duration.ZERO, new Event.RestartDue()), last(os.scheduled));
        sup.handle(new Event.RestartDue());
        assertEquals(2, os.spawned.size());
        bringUpLatest(2);
        sup.handle(new Event.ChildExited(2, 1001, 137));
        assertEquals(Duration.ofSeconds(1), last(os.scheduled).delay());
        sup.handle(new Event.RestartDue());
        sup.handle(new Event.ChildExited(3, 1002, 1)); // dies while starting
        assertEquals(Duration.ofSeconds(2), last(os.scheduled).delay());
    }

    @Test
    void drainTimeoutSendsKill() {
        sup.start();
        bringUpLatest(1);
        sup.handle(new Event.ReloadRequested("r"));
        bringUpLatest(2);
        sup.handle(new Event.Deadline(1, Event.Deadline.Kind.DRAIN));
        assertEquals(new FakeActions.Signal(1000, Sig.KILL), last(os.signals));
    }

    @Test
    void memoryShortfallRefusesTheReload() {
        sup.start();
        bringUpLatest(1);
        os.memoryShortfall = Optional.of("not enough memory");
        sup.handle(new Event.ReloadRequested("r"));
        assertEquals(1, os.spawned.size());
        os.memoryShortfall = Optional.empty();
        sup.handle(new Event.ReloadRequested("r"));
        assertEquals(2, os.spawned.size());
    }

    @Test
    void shutdownDuringReloadDrainsEveryChildThenExitsZero() {
        sup.start();
        bringUpLatest(1);
        sup.handle(new Event.ReloadRequested("r"));
        sup.handle(new Event.ShutdownRequested("SIGTERM"));
        assertEquals(List.of(new FakeActions.Signal(1000, Sig.TERM), new FakeActions.Signal(1001, Sig.TERM)), os.signals);
        sup.handle(new Event.ReloadRequested("late"));
        assertEquals(2, os.spawned.size(), "no reload while shutting down");
        sup.handle(new Event.ChildExited(2, 1001, 0));
        assertNull(os.exitCode);
        sup.handle(new Event.ChildExited(1, 1000, 0));
        assertEquals(0, os.exitCode);
    }

    @Test
    void spawnFailureOfAReloadKeepsTheServingChild() {
        sup.start();
        bringUpLatest(1);
        os.spawnFails = true;
        sup.handle(new Event.ReloadRequested("r"));
        assertTrue(os.signals.isEmpty());
        os.spawnFails = false;
        sup.handle(new Event.ReloadRequested("r"));
        assertEquals(2, os.spawned.size());
    }

    static <T> T last(List<T> list) {
        return list.get(list.size() - 1);
    }

    @Test
    void backoffStartsAgainAfterAGenerationServedLongAndWasReplacedByAReload() {
        sup.start();
        // An early crash loop: failures 1, 2, 3 (the restart after the first is immediate).
        sup.handle(new Event.ChildExited(1, 1000, 1));
        sup.handle(new Event.RestartDue());
        sup.handle(new Event.ChildExited(2, 1001, 1));
        sup.handle(new Event.RestartDue());
        sup.handle(new Event.ChildExited(3, 1002, 1));
        assertEquals(Duration.ofSeconds(2), last(os.scheduled).delay());
        sup.handle(new Event.RestartDue());
        bringUpLatest(4);
        os.now = os.now.plus(Duration.ofHours(1)); // gen 4 serves well, far beyond --restart-backoff-max (8s)
        sup.handle(new Event.ReloadRequested("deploy"));
        bringUpLatest(5);
        sup.handle(new Event.ChildExited(4, 1003, 0));
        os.now = os.now.plus(Duration.ofSeconds(2));
        sup.handle(new Event.ChildExited(5, 1004, 137)); // the new version crashes soon after
        assertEquals(new FakeActions.Scheduled(Duration.ZERO, new Event.RestartDue()), last(os.scheduled),
                "a first failure after a long good run restarts at once, not after the maximum");
    }

    @Test
    void stopWaitSaysWhoWasKilledInsteadOfEveryGenerationDrained() {
        sup.start();
        bringUpLatest(1);
        List<java.util.Map<String, Object>> answers = new java.util.ArrayList<>();
        new ControlCommands(sup).run("stop --wait", answers::add);
        os.processesPerGroup = 2; // a wrapper script and its JVM
        sup.handle(new Event.Deadline(1, Event.Deadline.Kind.DRAIN));
        assertEquals(new FakeActions.Signal(1000, Sig.KILL), last(os.signals));
        sup.handle(new Event.ChildExited(1, 1000, 137));
        assertEquals(1, answers.size());
        assertEquals(false, answers.get(0).get("clean"), answers.toString());
        String message = (String) answers.get(0).get("message");
        assertTrue(message.contains("gen=1 pid=1000 was killed (SIGKILL to 2 processes)"), message);
        assertTrue(!message.contains("every generation drained"), message);
    }

    @Test
    void stopWaitAfterACleanDrainSaysSo() {
        sup.start();
        int conn = bringUpLatest(1);
        List<java.util.Map<String, Object>> answers = new java.util.ArrayList<>();
        new ControlCommands(sup).run("stop --wait", answers::add);
        sup.handle(ChildFrames.event(conn, Frame.of("DRAINED", "1", "SERVED", "5", "ABANDONED", "0")));
        sup.handle(new Event.ChildExited(1, 1000, 0));
        assertEquals(true, answers.get(0).get("clean"), answers.toString());
        assertEquals("batond stopped: every generation drained", answers.get(0).get("message"));
    }

    @Test
    void aWrapperEndedBySigtermDrainedCleanlyWhenItsServiceSaysDrained() {
        sup.start();
        long wrapper = os.lastPid();
        int conn1 = connect(os.lastToken(), 4242); // HELLO from the JVM the wrapper started
        sup.handle(ChildFrames.event(conn1, Frame.of("READY", "1")));
        List<java.util.Map<String, Object>> answers = new java.util.ArrayList<>();
        new ControlCommands(sup).run("reload --wait", answers::add);
        bringUpLatest(2);
        sup.handle(ChildFrames.event(conn1, Frame.of("DRAINED", "1", "SERVED", "9", "ABANDONED", "0")));
        sup.handle(new Event.ChildExited(1, wrapper, 143)); // sh ended by the group's SIGTERM
        assertEquals(true, answers.get(0).get("clean"), answers.toString());
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> old = (java.util.Map<String, Object>) answers.get(0).get("old");
        assertEquals(4242L, old.get("service_pid"));
        assertEquals(0, old.get("killed_processes"));
    }

    @Test
    void readyDuringShutdownIsNotCalledReadyAgain() {
        sup.start();
        int conn = connect(os.lastToken(), os.lastPid());
        sup.handle(new Event.ShutdownRequested("SIGTERM"));
        sup.handle(ChildFrames.event(conn, Frame.of("READY", "1")));
        assertEquals(1, os.spawned.size());
        assertNull(os.exitCode);
        assertTrue(os.notified.stream().noneMatch(n -> n.startsWith("READY=1")), "no READY=1 to systemd while stopping");
    }

    @Test
    void abortedReloadHasKernelCountersBeforeAndAfter() {
        sup.start();
        bringUpLatest(1);
        List<java.util.Map<String, Object>> answers = new java.util.ArrayList<>();
        new ControlCommands(sup).run("reload --wait", answers::add);
        os.counters = new ListenCounters(3, 4);
        sup.handle(new Event.ShutdownRequested("SIGTERM"));
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> kernel = (java.util.Map<String, Object>) answers.get(0).get("kernel");
        assertEquals("aborted", answers.get(0).get("outcome"));
        assertEquals(3L, kernel.get("listen_overflows"));
        assertEquals(4L, kernel.get("listen_drops"));
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> old = (java.util.Map<String, Object>) answers.get(0).get("old");
        assertEquals("draining", old.get("state"), "the old generation drains for the shutdown, it does not keep serving");
    }

    @Test
    void failedReloadHasKernelCountersAfter() {
        sup.start();
        bringUpLatest(1);
        List<java.util.Map<String, Object>> answers = new java.util.ArrayList<>();
        new ControlCommands(sup).run("reload --wait", answers::add);
        sup.handle(new Event.ChildExited(2, 1001, 1));
        assertEquals("failed", answers.get(0).get("outcome"));
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> kernel = (java.util.Map<String, Object>) answers.get(0).get("kernel");
        assertEquals(0L, kernel.get("listen_drops"));
    }

    @Test
    void firstStartThatKeepsFailingShowsTheLastFailureAndTheNextAttempt() {
        os.spawnFails = true;
        sup.start();
        sup.handle(new Event.RestartDue());
        sup.handle(new Event.RestartDue());
        java.util.Map<String, Object> status = StatusReport.build(sup.snapshot());
        assertEquals("starting", status.get("state"));
        assertEquals(3, status.get("failures_in_a_row"));
        assertTrue(((String) status.get("last_failure")).contains("cannot start app: No such file or directory"),
                status.toString());
        assertEquals(UtcTime.format(os.now.plus(Duration.ofSeconds(2))), status.get("next_attempt_at"));
        os.spawnFails = false;
        sup.handle(new Event.RestartDue());
        bringUpLatest(4);
        assertEquals("serving", StatusReport.build(sup.snapshot()).get("state"));
        assertNull(StatusReport.build(sup.snapshot()).get("last_failure"));
    }

    @Test
    void statsFromAProcessThatNeverSaidHelloAreNamedAsSuch() {
        sup.start();
        bringUpLatest(1);
        int stranger = ++connections;
        sup.handle(new Event.HandoffConnected(stranger, 777, UID));
        sup.handle(ChildFrames.event(stranger, Frame.of("INFLIGHT", "0", "SERVED", "12")));
        assertTrue(os.closedConnections.contains(stranger));
    }
}
