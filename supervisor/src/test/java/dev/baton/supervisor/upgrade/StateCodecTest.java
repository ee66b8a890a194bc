package dev.baton.supervisor.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.supervisor.lifecycle.LifecycleState;
import dev.baton.supervisor.lifecycle.ListenCounters;
import dev.baton.supervisor.lifecycle.Listener;
import dev.baton.supervisor.lifecycle.Phase;
import dev.baton.supervisor.lifecycle.Reload;
import dev.baton.supervisor.lifecycle.UpgradeSnapshot;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The state one image of batond hands the next: read back exactly, or refused with one line. */
class StateCodecTest {
    private static final Instant T = Instant.parse("2026-11-30T12:00:00.123456789Z");

    static ImageState full() {
        LifecycleState.GenerationRecord exited = new LifecycleState.GenerationRecord(1, "tok1", 101, Phase.EXITED, null, null,
                T, T.plusSeconds(1), T.plusSeconds(5), T.plusSeconds(6), 0, -1, 101, 0, 17, 2, 0, true, 0, 250, null);
        LifecycleState.GenerationRecord draining = new LifecycleState.GenerationRecord(2, "tok2", 102, Phase.DRAINING,
                T.plusSeconds(40), null, T.plusSeconds(4), T.plusSeconds(5), T.plusSeconds(9), null, null, 7, 202, 3, 99, 3, -1,
                false, 0, 0, "restored");
        LifecycleState.GenerationRecord killing = new LifecycleState.GenerationRecord(4, "tok4", 104, Phase.KILLING,
                T.plusSeconds(50), "not READY\nwithin 60s \\ really", T.plusSeconds(8), null, null, null, null, -1, -1, -1,
                -1, -1, -1, false, 2, -1, "low");
        LifecycleState.GenerationRecord serving = new LifecycleState.GenerationRecord(3, "tok3", 103, Phase.SERVING, null, null,
                T.plusSeconds(8), T.plusSeconds(9), null, null, null, 9, 103, 1, 5, -1, -1, false, 0, 420, "restored");
        LifecycleState.ReloadRecord r1 = new LifecycleState.ReloadRecord(1, "SIGUSR2", T, Reload.Outcome.SUCCEEDED, "",
                2, 1, new ListenCounters(3, 4), new ListenCounters(3, 4), Map.of("http", 0L), T.plusSeconds(6));
        LifecycleState.ReloadRecord r2 = new LifecycleState.ReloadRecord(2, "batonctl", T.plusSeconds(8),
                Reload.Outcome.IN_PROGRESS, "", 3, 2, ListenCounters.UNKNOWN, ListenCounters.UNKNOWN, Map.of(), null);
        LifecycleState lifecycle = new LifecycleState(T, 5, List.of(exited, draining, killing, serving), List.of(2, 4, 3),
                List.of(1), 3, null, List.of(r1, r2), 3, null, Map.of(2, 2), "SIGHUP",
                new LifecycleState.BackoffRecord(1, 2, false, null, "gen=4 not READY"), 3,
                new UpgradeSnapshot(UpgradeSnapshot.Outcome.REPLACING, "", "batonctl", T.plusSeconds(10), null, "0.1.0",
                        "17.0.15 (OpenJDK 64-Bit Server VM)", null, null));
        return new ImageState(lifecycle,
                List.of(new Listener("http", new InetSocketAddress("127.0.0.1", 8080), 11),
                        new Listener("v6", new InetSocketAddress("::1", 8443), 12)),
                new ImageState.Handoff(Path.of("/run/baton/baton-7-123"), 13, Map.of(7, 20, 9, 21), 12),
                new ImageState.Control(Path.of("/run/baton/control.sock"), 14));
    }

    @Test
    void aFullStateReadsBackAsItWasWritten() {
        ImageState state = full();
        byte[] bytes = StateCodec.encode(state);
        assertTrue(new String(bytes, StandardCharsets.UTF_8).startsWith("BATON-STATE 2\n"));
        assertEquals(state, StateCodec.decode(bytes));
    }

    @Test
    void aStateCutShortIsRefused() {
        byte[] bytes = StateCodec.encode(full());
        for (int length : new int[] {0, 5, 14, bytes.length / 2, bytes.length - 1}) {
            byte[] cut = Arrays.copyOf(bytes, length);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StateCodec.decode(cut));
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void anEditedStateIsRefused() {
        String text = new String(StateCodec.encode(full()), StandardCharsets.UTF_8).replace("gen.3.pid=103", "gen.3.pid=1");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StateCodec.decode(text.getBytes(StandardCharsets.UTF_8)));
        assertEquals("state checksum mismatch (cut short or edited)", e.getMessage());
    }

    @Test
    void anotherVersionIsRefusedBeforeAnythingElseIsRead() {
        String text = new String(StateCodec.encode(full()), StandardCharsets.UTF_8).replace("BATON-STATE 2", "BATON-STATE 3");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StateCodec.decode(text.getBytes(StandardCharsets.UTF_8)));
        assertEquals("state version 3, this batond reads versions 1 to 2", e.getMessage());
        assertTrue(StateCodec.reads(1));
        assertTrue(StateCodec.reads(2));
        assertFalse(StateCodec.reads(3));
        assertFalse(StateCodec.reads(0));
    }

    @Test
    void aVersion1StateFromTheBatondBeforeIsReadWithWarmUpsNotKnown() {
        // What the batond before wrote: no warm-up lines, header 1.
        String v2 = new String(StateCodec.encode(full()), StandardCharsets.UTF_8);
        String body = v2.substring(0, v2.lastIndexOf("checksum=")).replace("BATON-STATE 2\n", "BATON-STATE 1\n")
                .replaceAll("gen\\.\\d+\\.warmup\\.ms=-?\\d+\n", "");
        assertFalse(body.contains("warmup"), body);
        ImageState read = StateCodec.decode(signed(body));
        ImageState expected = full();
        List<LifecycleState.GenerationRecord> unknown = expected.lifecycle().generations().stream()
                .map(g -> new LifecycleState.GenerationRecord(g.number(), g.token(), g.pid(), g.phase(), g.deadline(), g.reason(),
                        g.spawnedAt(), g.readyAt(), g.drainStartedAt(), g.exitedAt(), g.exitCode(), g.connection(),
                        g.servicePid(), g.inflight(), g.served(), g.inflightAtDrain(), g.inflightAtExit(), g.drainReported(),
                        g.killedProcesses(), -1, g.startPriority()))
                .toList();
        assertEquals(unknown, read.lifecycle().generations());
        assertEquals(expected.listeners(), read.listeners());
        assertEquals(expected.handoff(), read.handoff());
        assertEquals(expected.lifecycle().reloads(), read.lifecycle().reloads());
    }

    @Test
    void aVersion2StateWithoutAWarmUpIsRefusedWithItsName() {
        String text = new String(StateCodec.encode(full()), StandardCharsets.UTF_8);
        String body = text.substring(0, text.lastIndexOf("checksum=")).replace("gen.3.warmup.ms=420\n", "");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StateCodec.decode(signed(body)));
        assertEquals("state has no gen.3.warmup.ms", e.getMessage());
    }

    /** A new generation inside its --min-ready window crosses an upgrade with its window's end. */
    @Test
    void aProvingGenerationReadsBackWithItsWindowsEnd() {
        ImageState base = full();
        LifecycleState.GenerationRecord proving = new LifecycleState.GenerationRecord(5, "tok5", 105, Phase.PROVING,
                T.plusSeconds(13), null, T.plusSeconds(8), T.plusSeconds(10), null, null, null, 15, 105, 0, 0, -1, -1, false, 0, 250, null);
        LifecycleState l = base.lifecycle();
        List<LifecycleState.GenerationRecord> generations = new java.util.ArrayList<>(l.generations());
        generations.add(proving);
        List<Integer> alive = new java.util.ArrayList<>(l.alive());
        alive.add(5);
        LifecycleState withProving = new LifecycleState(l.startedAt(), 6, generations, alive, l.exitedRecently(), l.serving(),
                5, l.reloads(), l.nextReloadId(), null, l.reloadByOldGeneration(), l.reloadQueued(), l.backoff(), l.upgrades(),
                l.upgrade());
        ImageState state = new ImageState(withProving, base.listeners(), base.handoff(), base.control());
        byte[] bytes = StateCodec.encode(state);
        assertTrue(new String(bytes, StandardCharsets.UTF_8).contains("gen.5.phase=PROVING\n"));
        assertEquals(state, StateCodec.decode(bytes));
    }

    private static byte[] signed(String body) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(body.getBytes(StandardCharsets.UTF_8));
        return (body + "checksum=" + String.format("%08x", crc.getValue()) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aStateWithAMissingFactIsRefusedWithItsName() {
        String text = new String(StateCodec.encode(full()), StandardCharsets.UTF_8);
        String body = text.substring(0, text.lastIndexOf("checksum=")).replace("control.fd=14\n", "");
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(body.getBytes(StandardCharsets.UTF_8));
        String resigned = body + "checksum=" + String.format("%08x", crc.getValue()) + "\n";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StateCodec.decode(resigned.getBytes(StandardCharsets.UTF_8)));
        assertEquals("state has no control.fd", e.getMessage());
    }

    /** A state from an image before --start-nice has no start.priority: it reads as none; a bad one is refused. */
    @Test
    void theStartPriorityIsOptionalAndCheckedWhenGiven() {
        String text = new String(StateCodec.encode(full()), StandardCharsets.UTF_8);
        ImageState without = StateCodec.decode(resign(text.replaceAll("gen\\.\\d\\.start\\.priority=\\w+\n", "")));
        assertTrue(without.lifecycle().generations().stream().allMatch(g -> g.startPriority() == null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StateCodec.decode(resign(text.replace("gen.4.start.priority=low", "gen.4.start.priority=high"))));
        assertEquals("state's gen.4.start.priority is not valid: high", e.getMessage());
    }

    private static byte[] resign(String text) {
        String body = text.substring(0, text.lastIndexOf("checksum="));
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(body.getBytes(StandardCharsets.UTF_8));
        return (body + "checksum=" + String.format("%08x", crc.getValue()) + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
