package dev.baton.supervisor.recovery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.baton.supervisor.lifecycle.LifecycleState;
import dev.baton.supervisor.lifecycle.Listener;
import dev.baton.supervisor.lifecycle.Phase;
import dev.baton.supervisor.upgrade.SavedState;
import dev.baton.supervisor.upgrade.StateCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state file: the latest state wins, written whole or not at all, mode 0600; and what a later batond trusts of it. */
class StateFileTest {
    static final int UID = (int) (long) uid();
    static final List<Listener> LISTENERS = List.of(new Listener("http", new InetSocketAddress("127.0.0.1", 8080), 7));

    @TempDir
    Path dir;

    static long uid() {
        return new com.sun.security.auth.module.UnixSystem().getUid();
    }

    /** A state whose only difference is its next generation number: one per {@code n}. */
    static LifecycleState state(int n) {
        return state(n, ProcessHandle.current().pid());
    }

    /** The same, with its serving generation's leader at {@code pid}. */
    static LifecycleState state(int n, long pid) {
        LifecycleState.GenerationRecord g = new LifecycleState.GenerationRecord(1, "t0ken", pid, Phase.SERVING, null, null,
                Instant.EPOCH, Instant.EPOCH, null, null, null, 3, -1, 0, 0, -1, -1, false, 0, 0, null);
        return new LifecycleState(Instant.EPOCH, n, List.of(g), List.of(1), List.of(), 1, null, List.of(), 1, null,
                Map.of(), null, new LifecycleState.BackoffRecord(0, 0, false, null, null), 0, null);
    }

    static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(5);
        }
    }

    SavedState read() throws IOException {
        return StateCodec.decodeSaved(Files.readAllBytes(dir.resolve(StateFile.NAME)));
    }

    @Test
    void theLatestOfferWinsAndNothingQueuesUp() throws Exception {
        CountDownLatch firstWriteStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        StateFile file = new StateFile(dir, Path.of("/proc"), 99, bytes -> {
            firstWriteStarted.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            file.offer(state(2), LISTENERS);
            assertTrue(firstWriteStarted.await(10, TimeUnit.SECONDS));
            for (int n = 3; n <= 1000; n++) {
                file.offer(state(n), LISTENERS); // the loop never waits for the writer
            }
            release.countDown();
            await(() -> file.writes() == 2, "the second write");
            assertEquals(1000, read().lifecycle().nextGeneration(), "the latest offer, written whole");
            file.offer(state(1000), LISTENERS);
            file.close(false);
            assertEquals(2, file.writes(), "the one under way, then only the latest of the 998 offered meanwhile");
        } finally {
            file.close(false);
        }
    }

    @Test
    void sameBytesAreNotWrittenAgain() throws Exception {
        StateFile file = new StateFile(dir, Path.of("/proc"), 99);
        try {
            file.offer(state(2), LISTENERS);
            await(() -> file.writes() == 1, "first write");
            file.offer(state(2), LISTENERS);
            file.offer(state(3), LISTENERS);
            await(() -> file.writes() == 2, "second write");
            assertEquals(2, file.writes(), "the identical offer cost no write");
        } finally {
            file.close(false);
        }
    }

    @Test
    void aStateEqualToTheOneWrittenIsNotEvenEncoded() throws Exception {
        StateFile file = new StateFile(dir, Path.of("/proc"), 99);
        try {
            file.offer(state(2), LISTENERS);
            await(() -> file.writes() == 1, "first write");
            file.offer(state(2), LISTENERS); // an equal state, a new object: what the loop offers after most items
            await(() -> file.taken() == 2, "the second offer taken");
            assertEquals(1, file.encodes(), "no /proc read, no encoding for a state already written");
            file.offer(state(3), LISTENERS);
            await(() -> file.writes() == 2, "second write");
            assertEquals(2, file.encodes());
            assertEquals(3, read().lifecycle().nextGeneration());
        } finally {
            file.close(false);
        }
    }

    @Test
    void aStartTimeProcDidNotGiveIsLookedForAgainAtAnEqualOffer() throws Exception {
        StateFile file = new StateFile(dir, Path.of("/proc"), 99);
        try {
            long gone = Integer.MAX_VALUE; // above any pid_max: no /proc entry
            file.offer(state(2, gone), LISTENERS);
            await(() -> file.taken() == 1, "the first offer taken");
            file.offer(state(2, gone), LISTENERS);
            await(() -> file.taken() == 2, "the second offer taken");
            assertEquals(2, file.encodes(), "encoded again: the leader's start time is still missing");
            assertEquals(1, file.writes(), "the same bytes, not written again");
        } finally {
            file.close(false);
        }
    }

    @Test
    void theFileIs0600AndRecordsTheLeadersStartTime() throws Exception {
        StateFile file = new StateFile(dir, Path.of("/proc"), 99);
        try {
            file.offer(state(2), LISTENERS);
            await(() -> file.writes() == 1, "written");
        } finally {
            file.close(false);
        }
        Path written = dir.resolve(StateFile.NAME);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(written)));
        assertFalse(Files.exists(dir.resolve(StateFile.TEMPORARY)), "renamed, not copied");
        SavedState saved = read();
        long self = ProcessHandle.current().pid();
        assertEquals(dev.baton.supervisor.os.ProcStat.of(Path.of("/proc"), self).orElseThrow().startTime(),
                saved.startTimes().get(1));
        assertEquals(99, saved.batondPid());
        assertEquals(new InetSocketAddress("127.0.0.1", 8080), saved.listeners().get(0).address());
        assertTrue(StateFileCheck.read(dir, UID, 1).isPresent(), "what batond writes, it trusts");
    }

    @Test
    void removedOnACleanEndKeptOtherwise() throws Exception {
        StateFile file = new StateFile(dir, Path.of("/proc"), 99);
        file.offer(state(2), LISTENERS);
        await(() -> file.writes() == 1, "written");
        file.close(false);
        assertTrue(Files.exists(dir.resolve(StateFile.NAME)));
        StateFile again = new StateFile(dir, Path.of("/proc"), 99);
        again.close(true);
        assertFalse(Files.exists(dir.resolve(StateFile.NAME)));
    }

    @Test
    void aCorruptOrExposedOrForeignFileIsMovedAside() throws Exception {
        byte[] good = StateCodec.encodeSaved(new SavedState(state(2), LISTENERS, Map.of(), 99));
        Path file = dir.resolve(StateFile.NAME);

        byte[] corrupt = good.clone();
        corrupt[40] ^= 1;
        Files.write(file, corrupt);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertEquals(Optional.empty(), StateFileCheck.read(dir, UID, 111));
        assertTrue(Files.exists(dir.resolve(StateFile.NAME + ".bad-111")));
        assertFalse(Files.exists(file));

        // What a power cut can leave of a file written without fsync: nothing, or its first part.
        for (byte[] cut : new byte[][] {new byte[0], java.util.Arrays.copyOf(good, good.length / 2)}) {
            Files.write(file, cut);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            long now = 112 + cut.length;
            assertEquals(Optional.empty(), StateFileCheck.read(dir, UID, now), cut.length + " bytes");
            assertArrayEquals(cut, Files.readAllBytes(dir.resolve(StateFile.NAME + ".bad-" + now)));
            assertFalse(Files.exists(file));
        }

        Files.write(file, good);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(Optional.empty(), StateFileCheck.read(dir, UID, 222));
        assertArrayEquals(good, Files.readAllBytes(dir.resolve(StateFile.NAME + ".bad-222")));

        Files.write(file, good);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertEquals(Optional.empty(), StateFileCheck.read(dir, UID + 1, 333), "not batond's uid");

        Files.write(file, new String(good, java.nio.charset.StandardCharsets.UTF_8).replace("BATON-STATE " + StateCodec.VERSION, "BATON-STATE 9")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertEquals(Optional.empty(), StateFileCheck.read(dir, UID, 444), "a version this batond does not read");

        Files.createDirectory(file);
        assertEquals(Optional.empty(), StateFileCheck.read(dir, UID, 555), "not a regular file");
        assertTrue(Files.isDirectory(dir.resolve(StateFile.NAME + ".bad-555")));

        Files.createSymbolicLink(file, dir.resolve(StateFile.NAME + ".bad-222"));
        assertEquals(Optional.empty(), StateFileCheck.read(dir, UID, 666), "a symbolic link is not followed");

        Files.write(file, good);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertEquals(2, StateFileCheck.read(dir, UID, 777).orElseThrow().lifecycle().nextGeneration());
    }
}
