package dev.baton.supervisor.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import dev.baton.protocol.Frame;
import dev.baton.supervisor.handoff.ChildFrames;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A batond started after one that died, as the lifecycle sees it: the generations from the state
 * file wait to be re-adopted, their RESUME HELLO is checked like any other, the listeners come back
 * from a child before any generation starts, and what never came back is shown as orphaned.
 */
class ReadoptionTest {
    static final int UID = 1000;

    /** The batond that died: gen=1 served (pid 1000, token0), gen=2 had exited. */
    LifecycleState before;
    String token1;
    String token2;
    FakeActions os;
    Supervisor sup;

    @BeforeEach
    void setUp() {
        FakeActions first = new FakeActions();
        Supervisor dead = new Supervisor(SupervisorTest.config(1), first, UID);
        dead.start();
        bringUp(dead, first, 1);
        dead.reload("deploy");
        bringUp(dead, first, 2); // gen=2 serves, gen=1 drains
        dead.handle(new Event.ChildExited(1, 1000, 0));
        dead.reload("again");
        bringUp(dead, first, 3); // gen=3 serves, gen=2 drains
        dead.handle(new Event.ChildExited(2, 1001, 0));
        token1 = first.tokens.get(1); // gen=2's, exited
        token2 = first.tokens.get(2); // gen=3's, serving
        before = dead.exportState();
        os = new FakeActions();
        os.spawned.addAll(List.of(5000L, 5001L, 5002L)); // the next spawn is pid 1003
    }

    static void bringUp(Supervisor s, FakeActions os, int conn) {
        s.handle(new Event.HandoffConnected(conn, os.lastPid(), UID));
        s.handle(ChildFrames.event(conn, Frame.of("BATON", "1", "TOKEN", os.lastToken(), "PID", Long.toString(os.lastPid()))));
        s.handle(ChildFrames.event(conn, Frame.of("READY", "1")));
    }

    void recover(Set<Integer> running) {
        sup = Supervisor.recover(SupervisorTest.config(1), os, UID, Monitor.NONE, before, running);
        sup.recovered();
    }

    void resumeHello(int conn, long peerPid, int peerUid, String token) {
        sup.handle(new Event.HandoffConnected(conn, peerPid, peerUid));
        sup.handle(ChildFrames.event(conn, Frame.of("BATON", "1", "TOKEN", token, "PID", Long.toString(peerPid),
                "RESUME", "1", "GENERATION", "3")));
    }

    GenerationSnapshot gen(int number) {
        return sup.snapshot().generations().stream().filter(g -> g.number() == number).findFirst().orElseThrow();
    }

    @Test
    void nothingStartsUntilTheListenersAreBack() {
        recover(Set.of(3));
        assertEquals(List.of("gen=3 pid=1002"), os.watchedAdopted, "watched without waitpid");
        assertTrue(gen(3).readopting());
        assertTrue(os.scheduled.stream().anyMatch(s -> s.event() instanceof Event.ReadoptWindowEnded
                && s.delay().equals(Supervisor.READOPT_WINDOW)));
        sup.reload("deploy");
        assertEquals(3, os.spawned.size(), "no generation starts before batond holds the listeners");
        assertEquals(0, os.binds, "nothing is bound while the child that holds the listeners may come back");

        resumeHello(7, 1002, UID, token2);
        assertFalse(gen(3).readopting());
        assertEquals(List.of(7), os.listenersRequestedOf, "the re-adopted child is asked for the listeners");
        assertEquals("serving", gen(3).phase().name().toLowerCase());

        sup.handle(new Event.ListenersReturned(7, List.of("http"), List.of("127.0.0.1:8080"), new int[] {42}));
        assertEquals(List.of("http"), os.listenersTaken);
        assertEquals(1, os.binds, "the rest (none) bound");
        assertEquals(4, os.spawned.size(), "the reload queued meanwhile runs now");
        assertNull(gen(3).orphanedSince());
    }

    @Test
    void aResumeHelloIsRefusedUnlessTokenUidAndPidAreTheGenerations() {
        recover(Set.of(3));
        resumeHello(1, 1002, UID, "made-up");
        resumeHello(2, 1001, UID, token1); // gen=2 exited: its token opens nothing
        resumeHello(3, 4242, UID, token2); // the right token from another process
        resumeHello(4, 1002, 0, token2); // root is not batond's uid
        sup.handle(new Event.HandoffConnected(5, 1002, UID));
        sup.handle(ChildFrames.event(5, Frame.of("BATON", "1", "TOKEN", token2, "PID", "1002"))); // not RESUME: already used
        assertEquals(List.of(1, 2, 3, 4, 5), os.closedConnections);
        assertTrue(gen(3).readopting(), "still waiting for the real one");
        assertEquals(List.of(), os.listenersRequestedOf);

        resumeHello(6, 1002, UID, token2);
        resumeHello(8, 1002, UID, token2); // a second RESUME with the same token
        assertEquals(List.of(1, 2, 3, 4, 5, 8), os.closedConnections);
        assertEquals(List.of(6), os.listenersRequestedOf);
    }

    @Test
    void aGenerationStartingWhenBatondDiedIsStoppedAndAQueuedReloadWaitsForTheListeners() {
        FakeActions first = new FakeActions();
        Supervisor dead = new Supervisor(SupervisorTest.config(1), first, UID);
        dead.start();
        bringUp(dead, first, 1);
        dead.reload("deploy"); // gen=2 starting
        dead.reload("queued"); // waits for gen=2
        before = dead.exportState();
        os.spawned.clear();
        os.spawned.addAll(List.of(5000L, 5001L));
        recover(Set.of(1, 2));
        assertTrue(os.signals.contains(new FakeActions.Signal(1001, Sig.TERM)), "gen=2's start failed with batond: " + os.signals);
        assertEquals(2, os.spawned.size(), "the queued reload does not start without the listeners");
        sup.handle(new Event.ReadoptWindowEnded());
        assertEquals(3, os.spawned.size(), "once they are bound, it runs");
    }

    @Test
    void aFloodOfStrangersIsClosedWithABoundedLog() {
        recover(Set.of(3));
        for (int i = 100; i < 1100; i++) {
            resumeHello(i, 4242, UID, "made-up-" + i);
        }
        assertEquals(1000, os.closedConnections.size(), "every one closed");
        assertTrue(gen(3).readopting());
    }

    @Test
    void theServicePidBehindAWrapperMayResume() {
        FakeActions first = new FakeActions();
        Supervisor dead = new Supervisor(SupervisorTest.config(1), first, UID);
        dead.start();
        dead.handle(new Event.HandoffConnected(1, 7777, UID));
        dead.handle(ChildFrames.event(1, Frame.of("BATON", "1", "TOKEN", first.lastToken(), "PID", "7777")));
        dead.handle(ChildFrames.event(1, Frame.of("READY", "1")));
        before = dead.exportState();
        recover(Set.of(1));
        sup.handle(new Event.HandoffConnected(2, 7777, UID));
        sup.handle(ChildFrames.event(2, Frame.of("BATON", "1", "TOKEN", first.lastToken(), "PID", "7777", "RESUME", "1")));
        assertEquals(List.of(), os.closedConnections);
        assertEquals(List.of(2), os.listenersRequestedOf);
    }

    @Test
    void aChildThatNeverComesBackIsOrphanedAndTheListenersAreBound() {
        recover(Set.of(3));
        sup.handle(new Event.ReadoptWindowEnded());
        assertNotNull(gen(3).orphanedSince());
        assertFalse(gen(3).readopting());
        assertEquals(1, os.binds);
        assertEquals(3, os.spawned.size(), "the orphan still serves: nothing new starts by itself");
        sup.reload("deploy");
        assertEquals(4, os.spawned.size(), "a reload replaces the orphan as any serving generation");
    }

    @Test
    void generationsThatDiedMeanwhileExitedWithAnUnknownCodeAndANewOneStarts() {
        recover(Set.of());
        assertEquals(Integer.valueOf(-1), gen(3).exitCode());
        assertEquals(1, os.binds);
        assertEquals(4, os.spawned.size(), "nothing serves: a new generation starts at once");
    }

    @Test
    void aReadoptedChildsExitCodeIsWhatItReportedOr137WhenKilled() {
        recover(Set.of(3));
        resumeHello(7, 1002, UID, token2);
        sup.handle(new Event.ListenersReturned(7, List.of("http"), List.of("127.0.0.1:8080"), new int[] {42}));
        sup.stop("test");
        sup.handle(ChildFrames.event(7, Frame.of("DRAINED", "1", "SERVED", "10", "ABANDONED", "0", "EXIT", "0")));
        sup.handle(new Event.ChildExited(3, 1002, -1));
        assertEquals(Integer.valueOf(0), gen(3).exitCode());
        assertEquals(Integer.valueOf(0), os.exitCode);
    }

    @Test
    void anOrphanThatGotSigkillExited137() {
        recover(Set.of(3));
        sup.handle(new Event.ReadoptWindowEnded());
        sup.stop("test");
        sup.handle(new Event.Deadline(3, Event.Deadline.Kind.DRAIN));
        sup.handle(new Event.ChildExited(3, 1002, -1));
        assertEquals(Integer.valueOf(137), gen(3).exitCode());
    }

    @Test
    void anOrphanHoldingThePortKeepsBatondUpUntilItReconnectsLate() {
        os.bindFailure = java.util.Optional.of("cannot listen on 127.0.0.1:8080: Address already in use");
        recover(Set.of(3));
        sup.handle(new Event.ReadoptWindowEnded());
        assertNull(os.exitCode, "batond stays to show the orphan");
        assertNotNull(gen(3).orphanedSince());
        sup.reload("deploy");
        assertEquals(3, os.spawned.size(), "no listeners, no new generation");

        resumeHello(7, 1002, UID, token2); // late, but its own token, uid and pid
        assertNull(gen(3).orphanedSince());
        assertEquals(List.of(7), os.listenersRequestedOf);
        os.bindFailure = java.util.Optional.empty();
        sup.handle(new Event.ListenersReturned(7, List.of("http"), List.of("127.0.0.1:8080"), new int[] {42}));
        assertEquals(4, os.spawned.size(), "the queued reload runs");
    }

    @Test
    void whenTheOrphanHoldingThePortExitsBatondBindsAndStarts() {
        os.bindFailure = java.util.Optional.of("cannot listen on 127.0.0.1:8080: Address already in use");
        recover(Set.of(3));
        sup.handle(new Event.ReadoptWindowEnded());
        os.bindFailure = java.util.Optional.empty();
        sup.handle(new Event.ChildExited(3, 1002, -1));
        assertEquals(Integer.valueOf(-1), gen(3).exitCode());
        assertEquals(4, os.spawned.size());
        assertNull(os.exitCode);
    }

    @Test
    void listenersThatCannotBeBoundEndBatond() {
        os.bindFailure = java.util.Optional.of("cannot listen on 127.0.0.1:8080: Address already in use");
        recover(Set.of());
        assertEquals(Integer.valueOf(1), os.exitCode, "no child left that could give them back, none to show");
        assertEquals(3, os.spawned.size());
    }

    @Test
    void descriptorsNobodyAskedForAreNotTaken() {
        recover(Set.of(3));
        sup.handle(new Event.ListenersReturned(9, List.of("http"), List.of("127.0.0.1:8080"), new int[] {42}));
        assertEquals(List.of(""), os.listenersTaken, "closed, not held");
        assertEquals(0, os.binds);
    }
}
