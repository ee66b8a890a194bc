package dev.baton.supervisor.lifecycle;

import dev.baton.supervisor.control.ControlCommands;
import dev.baton.supervisor.control.StatusReport;
import dev.baton.supervisor.handoff.ChildFrames;
import dev.baton.supervisor.upgrade.ImageState;
import dev.baton.supervisor.upgrade.StateCodec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.baton.protocol.Frame;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Time to READY split into the child's start and its warm-up (READY's WARMUP_MS), as status, the
 * reload evidence, metrics and the next image of batond see it.
 */
class WarmUpSplitTest {
    FakeActions os;
    Supervisor sup;
    final List<GenerationSnapshot> servingSeen = new ArrayList<>();
    final List<Map<String, Object>> answers = new ArrayList<>();
    int connections;

    @BeforeEach
    void setUp() {
        os = new FakeActions();
        Monitor monitor = new Monitor() {
            @Override
            public void serving(GenerationSnapshot generation) {
                servingSeen.add(generation);
            }
        };
        sup = new Supervisor(SupervisorTest.config(1), os, SupervisorTest.UID, monitor);
        sup.start();
    }

    /** The latest child says HELLO, then READY {@code millis} later with these extra fields. */
    void ready(long millis, String... extra) {
        int conn = ++connections;
        sup.handle(new Event.HandoffConnected(conn, os.lastPid(), SupervisorTest.UID));
        sup.handle(ChildFrames.event(conn, Frame.of("BATON", "1", "TOKEN", os.lastToken(), "PID", Long.toString(os.lastPid()))));
        os.now = os.now.plusMillis(millis);
        String[] fields = new String[extra.length + 2];
        fields[0] = "READY";
        fields[1] = "1";
        System.arraycopy(extra, 0, fields, 2, extra.length);
        sup.handle(ChildFrames.event(conn, Frame.of(fields)));
    }

    private Map<?, ?> generation(int number) {
        for (Object g : (List<?>) StatusReport.build(sup.snapshot()).get("generations")) {
            if (((Map<?, ?>) g).get("generation").equals(number)) {
                return (Map<?, ?>) g;
            }
        }
        throw new AssertionError("no gen=" + number);
    }

    @Test
    void theReloadEvidenceStatusAndMetricsSplitTimeToReadyIntoStartAndWarmUp() {
        ready(500, "WARMUP_MS", "0");
        new ControlCommands(sup).run("reload --wait", answers::add);
        ready(1200, "WARMUP_MS", "300");
        sup.handle(new Event.ChildExited(1, 1000, 0));

        Map<?, ?> fresh = (Map<?, ?>) answers.get(0).get("new");
        assertEquals(1200L, fresh.get("ready_ms"));
        assertEquals(900L, fresh.get("start_ms"));
        assertEquals(300L, fresh.get("warmup_ms"));
        ReloadSnapshot reload = sup.snapshot().reloads().get(0);
        assertTrue(reload.oneLine().startsWith("gen=2 ready in 1.20s (start 0.90s, warm-up 0.30s)"), reload.oneLine());

        Map<?, ?> gen2 = generation(2);
        assertEquals(1200L, gen2.get("ready_ms"));
        assertEquals(900L, gen2.get("start_ms"));
        assertEquals(300L, gen2.get("warmup_ms"));
        assertEquals(0L, generation(1).get("warmup_ms"));
        assertEquals(500L, generation(1).get("start_ms"));

        GenerationSnapshot seen = servingSeen.get(servingSeen.size() - 1);
        assertEquals(2, seen.number());
        assertEquals(Duration.ofMillis(900), seen.start());
        assertEquals(Duration.ofMillis(300), seen.warmUp());
    }

    @Test
    void aReadyWithoutWarmUpOrWithABadOneCountsWithZeroWarmUp() {
        ready(400);
        assertEquals(1, sup.snapshot().servingGeneration());
        assertEquals(0L, generation(1).get("warmup_ms"));
        for (String bad : List.of("abc", "-5", "99999999999999999999", "")) {
            sup.reload("test");
            ready(700, "WARMUP_MS", bad);
            int number = os.spawned.size();
            assertEquals(number, sup.snapshot().servingGeneration(), "READY with WARMUP_MS='" + bad + "' counts");
            assertEquals(0L, generation(number).get("warmup_ms"), bad);
            assertEquals(700L, generation(number).get("start_ms"), bad);
            sup.handle(new Event.ChildExited(number - 1, os.spawned.get(number - 2), 0));
        }
    }

    @Test
    void aWarmUpLongerThanTheWholeStartIsCutToIt() {
        ready(250, "WARMUP_MS", "60000");
        assertEquals(250L, generation(1).get("warmup_ms"));
        assertEquals(0L, generation(1).get("start_ms"));
    }

    @Test
    void beforeReadyThereIsNoSplit() {
        Map<?, ?> starting = generation(1);
        assertTrue(!starting.containsKey("warmup_ms") && !starting.containsKey("start_ms"), starting::toString);
        assertNull(sup.snapshot().generations().get(0).warmUp());
    }

    @Test
    void theSplitIsCarriedAcrossAnUpgrade() {
        ready(800, "WARMUP_MS", "350");
        LifecycleState state = StateCodec.decode(StateCodec.encode(new ImageState(sup.exportState(), List.of(),
                new ImageState.Handoff(java.nio.file.Path.of("/run/baton"), 3, Map.of(1, 5), 1),
                new ImageState.Control(java.nio.file.Path.of("/run/baton/control"), 4)))).lifecycle();
        Supervisor resumed = Supervisor.resume(SupervisorTest.config(1), os, SupervisorTest.UID, Monitor.NONE, state);
        GenerationSnapshot g = resumed.snapshot().generations().get(0);
        assertEquals(Duration.ofMillis(350), g.warmUp());
        assertEquals(Duration.ofMillis(450), g.start());
        assertEquals(sup.snapshot().generations(), resumed.snapshot().generations());
    }
}
