package dev.baton.supervisor.os;

import dev.baton.supervisor.lifecycle.Event;
import dev.baton.supervisor.lifecycle.Sig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Children in process groups of their own, with real processes: spawn, signal the group, see it empty. */
@Timeout(30)
public class ChildProcessesTest {
    final LibcNative nat = new LibcNative();
    final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    final ChildProcesses children = new ChildProcesses(nat, Path.of("/proc"), timers, events::add);

    @TempDir
    Path dir;

    @AfterEach
    void tearDown() {
        timers.shutdownNow();
    }

    @Test
    void aChildGetsItsEnvironmentAndNoDescriptorOfBatondsButTheFirstThree() throws Exception {
        int fd = nat.sockets().listenTcp(new InetSocketAddress("127.0.0.1", 0), 1);
        try {
            Path out = dir.resolve("out");
            String script = "echo \"$GREETING\" > " + out + "; ls /proc/self/fd/" + fd + " >/dev/null 2>&1"
                    + " && echo leaked >> " + out + " || echo closed >> " + out;
            long pid = children.spawn(1, List.of("sh", "-c", script), List.of("GREETING=hello there", "PATH=/usr/bin:/bin"));
            Event.ChildExited exited = (Event.ChildExited) events.poll(20, TimeUnit.SECONDS);
            assertEquals(new Event.ChildExited(1, pid, 0), exited);
            assertEquals(List.of("hello there", "closed"), Files.readAllLines(out));
        } finally {
            nat.close(fd);
        }
    }

    @Test
    void aReadoptedProcessIsWatchedWithoutWaitpidAndSignalledAsAGroup() throws Exception {
        // Not spawned by ChildProcesses (as a child of a batond that died is not this batond's): setsid
        // makes it the leader of its own group, as batond's children are.
        Process other = new ProcessBuilder("setsid", "sleep", "30").start();
        long pid = other.pid();
        // setsid(1) makes its group only once it runs: a signal to the group before then finds none
        // (ESRCH), as CI once saw. A child of batond's leads its group from before its exec.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ProcStat.of(Path.of("/proc"), pid).orElseThrow().processGroup() != pid) {
            assertTrue(System.nanoTime() < deadline, "setsid made no group of its own within 10 s");
            Thread.sleep(5);
        }
        long start = ProcStat.of(Path.of("/proc"), pid).orElseThrow().startTime();
        assertTrue(start > 0);
        children.watchAdopted(7, pid);
        assertTrue(other.isAlive());
        assertTrue(children.signal(pid, Sig.TERM), "its group gets the signal");
        assertEquals(new Event.ChildExited(7, pid, -1), events.poll(20, TimeUnit.SECONDS),
                "its end seen through a pidfd; the code is not this process's to know");
        assertTrue(ProcStat.of(Path.of("/proc"), pid).isEmpty());
    }

    @Test
    void theChildLeadsItsOwnProcessGroupAndSession() throws Exception {
        long pid = children.spawn(1, List.of("sleep", "20"), List.of());
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            assertEquals(Long.toString(pid), f[2], "process group: " + stat);
            assertEquals(Long.toString(pid), f[3], "session: " + stat);
        } finally {
            children.signal(pid, Sig.KILL);
        }
        assertEquals(new Event.ChildExited(1, pid, 137), events.poll(20, TimeUnit.SECONDS));
    }

    @Test
    void aWrapperThatDoesNotExecEndsOnlyWhenItsWholeGroupHas() throws Exception {
        Path started = dir.resolve("started");
        // sh waits for two helpers; the TERM reaches the helpers too, not just sh.
        long pid = children.spawn(3, List.of("sh", "-c", "sleep 60 & sleep 60 & echo x > " + started + "; wait"),
                List.of("PATH=/usr/bin:/bin"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (children.members(pid) < 3 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(3, children.members(pid));
        assertTrue(children.signal(pid, Sig.TERM));
        Event.ChildExited exited = (Event.ChildExited) events.poll(20, TimeUnit.SECONDS);
        assertEquals(new Event.ChildExited(3, pid, 143), exited);
        assertEquals(0, children.members(pid), "no process of the group is left");
        assertFalse(children.signal(pid, Sig.TERM), "a gone group is not signalled");
        assertEquals(0, children.kill(pid), "nor killed");
    }

    @Test
    void aKillReachesTheWholeGroupAndCountsItsProcesses() throws Exception {
        long pid = children.spawn(5, List.of("sh", "-c", "sleep 60 & sleep 60 & wait"), List.of("PATH=/usr/bin:/bin"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (children.members(pid) < 3 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(3, children.kill(pid), "sh and its two helpers got SIGKILL");
        assertEquals(new Event.ChildExited(5, pid, 137), events.poll(20, TimeUnit.SECONDS));
        assertEquals(0, children.members(pid), "no process of the group is left");
    }

    @Test
    void theGenerationOutlivesItsLeaderWhileAProcessOfItsGroupRuns() throws Exception {
        Path helper = dir.resolve("helper");
        // The leader exits at once; the helper it left behind keeps the generation alive.
        long pid = children.spawn(4, List.of("sh", "-c", "sleep 60 & echo $! > " + helper),
                List.of("PATH=/usr/bin:/bin"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Files.exists(Path.of("/proc/" + pid)) && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // until the leader has exited and been reaped
        }
        assertFalse(Files.exists(Path.of("/proc/" + pid)), "the leader has exited");
        assertEquals(1, children.members(pid), "its helper is still in the group");
        assertEquals(null, events.poll(300, TimeUnit.MILLISECONDS), "the generation has not ended while the helper runs");
        assertEquals(1, children.kill(pid));
        assertEquals(new Event.ChildExited(4, pid, 0), events.poll(20, TimeUnit.SECONDS));
    }

    @Test
    void aCommandThatDoesNotExistFailsToSpawnWithTheReason() {
        IOException e = assertThrows(IOException.class,
                () -> children.spawn(1, List.of("/nonexistent/baton-no-such-command"), List.of()));
        assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
        assertFalse(events.iterator().hasNext());
    }
}
