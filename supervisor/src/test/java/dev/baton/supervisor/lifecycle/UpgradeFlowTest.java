package dev.baton.supervisor.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import dev.baton.protocol.Frame;
import dev.baton.supervisor.handoff.ChildFrames;
import dev.baton.supervisor.upgrade.ImageState;
import dev.baton.supervisor.upgrade.StateCodec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** batond replacing its own image, as the lifecycle sees it: order with reloads, refusal, the state handed over. */
class UpgradeFlowTest {
    static final int UID = 1000;

    FakeActions os;
    Supervisor sup;
    int connections;
    final List<UpgradeSnapshot> decided = new ArrayList<>();

    @BeforeEach
    void setUp() {
        os = new FakeActions();
        sup = new Supervisor(SupervisorTest.config(1), os, UID);
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

    @Test
    void aCheckedImageGetsTheWholeStateAndTheHandoffIsHeldForIt() {
        sup.upgrade("batonctl", decided::add);
        assertEquals(1, os.checks, "the new image is checked first");
        assertNull(os.replacedWith, "nothing is handed over before the check passed");
        sup.handle(os.nextCheck);
        assertEquals(UpgradeSnapshot.Outcome.REPLACING, decided.get(0).outcome());
        assertTrue(os.handoffHeld, "frames wait in the sockets for the next image");
        sup.handle(new Event.ReplaceImage());
        LifecycleState state = os.replacedWith;
        assertNotNull(state);
        assertEquals(List.of(1), state.alive());
        assertEquals(1, state.serving());
    }

    @Test
    void aRefusedImageChangesNothing() {
        os.nextCheck = new Event.UpgradeChecked(false, null, null, "the launcher exited 1");
        sup.upgrade("batonctl", decided::add);
        sup.handle(os.nextCheck);
        assertEquals(UpgradeSnapshot.Outcome.REFUSED, decided.get(0).outcome());
        assertEquals("the launcher exited 1", decided.get(0).reason());
        assertNull(os.replacedWith);
        assertFalse(os.handoffHeld);
        assertEquals("serving", sup.snapshot().state());
    }

    @Test
    void anUpgradeDuringAReloadWaitsForIt() {
        sup.reload("deploy");
        sup.upgrade("batonctl", decided::add);
        assertEquals(0, os.checks, "no check while gen=2 starts");
        bringUpLatest();
        assertEquals(1, os.checks, "checked once gen=2 serves");
    }

    @Test
    void aReloadDuringAnUpgradeRunsAfterItInTheNewImage() {
        sup.upgrade("batonctl", decided::add);
        sup.reload("deploy");
        assertEquals(1, os.spawned.size(), "no new generation while the image is being replaced");
        sup.handle(os.nextCheck);
        sup.handle(new Event.ReplaceImage());
        LifecycleState state = os.replacedWith;
        assertEquals("deploy", state.reloadQueued());

        FakeActions next = new FakeActions();
        next.spawned.addAll(os.spawned);
        next.tokens.addAll(os.tokens);
        Supervisor resumed = Supervisor.resume(SupervisorTest.config(1), next, UID, Monitor.NONE, state);
        resumed.resumed();
        assertEquals(2, next.spawned.size(), "the queued reload runs in the new image");
        assertEquals(1, resumed.snapshot().servingGeneration());
        assertEquals(SupervisorTest.config(1).command(), resumed.snapshot().command());
    }

    @Test
    void theStateRoundTripsThroughAResumedSupervisor() {
        sup.reload("first");
        bringUpLatest();
        sup.handle(new Event.ChildExited(1, 1000, 0));
        LifecycleState state = sup.exportState();
        Supervisor resumed = Supervisor.resume(SupervisorTest.config(1), os, UID, Monitor.NONE, state);
        SupervisorSnapshot before = sup.snapshot();
        SupervisorSnapshot after = resumed.snapshot();
        assertEquals(before.generations(), after.generations());
        assertEquals(before.reloads(), after.reloads());
        assertEquals(before.servingGeneration(), after.servingGeneration());
        assertEquals(state, resumed.exportState(), "exported again, the same state");
    }

    @Test
    void aReloadWhoseOldGenerationDrainsAcrossAnUpgradeEndsWithTheKernelCountersAfter() {
        os.counters = new ListenCounters(10, 20);
        sup.reload("deploy");
        bringUpLatest(); // gen=2 serves, gen=1 drains
        // Through the codec, as an upgrade carries it: the new image holds its own copies of every value.
        LifecycleState state = StateCodec.decode(StateCodec.encode(new ImageState(sup.exportState(), List.of(),
                new ImageState.Handoff(java.nio.file.Path.of("/run/baton"), 3, java.util.Map.of(1, 5, 2, 6), 2),
                new ImageState.Control(java.nio.file.Path.of("/run/baton/control"), 4)))).lifecycle();
        FakeActions next = new FakeActions();
        next.counters = new ListenCounters(10, 21);
        Supervisor resumed = Supervisor.resume(SupervisorTest.config(1), next, UID, Monitor.NONE, state);
        resumed.resumed();
        resumed.handle(new Event.ChildExited(1, 1000, 0));
        ReloadSnapshot reload = resumed.snapshot().reloads().get(0);
        assertEquals(Reload.Outcome.SUCCEEDED, reload.outcome());
        assertEquals(new ListenCounters(0, 1), reload.kernelDelta(), "read again when the old generation exited");
    }
}
