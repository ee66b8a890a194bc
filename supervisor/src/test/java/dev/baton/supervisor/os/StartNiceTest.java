package dev.baton.supervisor.os;

import dev.baton.supervisor.lifecycle.Event;
import dev.baton.supervisor.lifecycle.Sig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real processes started niced from a throwaway thread, and every thread of their group restored. */
@Timeout(30)
class StartNiceTest {
    static final Path PROC = Path.of("/proc");
    final LibcNative nat = new LibcNative();
    final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    final ChildProcesses children = new ChildProcesses(nat, PROC, timers, events::add);
    final StartNice startNice = new StartNice(nat, PROC);
    final List<Long> started = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (long pid : started) {
            children.signal(pid, Sig.KILL);
        }
        timers.shutdownNow();
    }

    @Test
    void theWholeGroupStartsAtTheNiceValueAndBatondsThreadsDoNot() throws Exception {
        int own = StartNiceCheck.ownNice(PROC).getAsInt();
        Assumptions.assumeTrue(own < 10, "needs a batond below nice 10");
        long pid = groupOfThreeAtNice10();
        Map<Long, Integer> nices = nices(pid);
        assertEquals(3, nices.size(), nices::toString);
        assertTrue(nices.values().stream().allMatch(n -> n == 10), nices::toString);
        if (startNice.autogroups()) {
            assertEquals(10, startNice.autogroupNice(pid).getAsInt(), "its session's autogroup is niced too");
        }
        // The test's own threads (the waiter among them) kept their nice value; the one that spawned
        // has ended (join returns as it exits: its /proc entry may linger a moment).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (threadNices(ProcessHandle.current().pid()).stream().anyMatch(n -> n != own)) {
            assertTrue(System.nanoTime() < deadline, () -> "a thread of the spawning process stayed niced: " + uncheckedNices());
            Thread.sleep(10);
        }
    }

    @Test
    void restoreSetsEveryThreadOfTheGroupBack() throws Exception {
        Assumptions.assumeTrue(StartNiceCheck.check(PROC, 10).on(), "restoring needs CAP_SYS_NICE or RLIMIT_NICE");
        int own = StartNiceCheck.ownNice(PROC).getAsInt();
        long pid = groupOfThreeAtNice10();
        StartNice.Restored r = startNice.restore(pid, own);
        assertEquals(3, r.threads(), r.describe());
        assertEquals(3, r.processes(), r.describe());
        assertEquals(0, r.refused(), r.describe());
        assertTrue(r.complete(), r.describe());
        assertTrue(r.whole(), r.describe());
        assertEquals(2, r.passes(), "the second pass finds nothing new: " + r.describe());
        StartNice.Restored again = startNice.restore(pid, own);
        assertEquals(0, again.threads(), "nothing left to restore: " + again.describe());
        assertEquals(1, again.passes(), again.describe());
        Map<Long, Integer> nices = nices(pid);
        assertTrue(nices.values().stream().allMatch(n -> n == own), nices::toString);
        if (startNice.autogroups()) {
            assertEquals(null, startNice.restoreAutogroup(pid, 0));
            assertEquals(0, startNice.autogroupNice(pid).getAsInt());
        }
    }

    @Test
    void aGenerationGetsItsSessionBackBeforeAnyOfItsThreads() throws Exception {
        Assumptions.assumeTrue(startNice.autogroups(), "needs autogroups (kernel.sched_autogroup_enabled=1)");
        Assumptions.assumeTrue(StartNiceCheck.check(PROC, 10).on(), "restoring needs CAP_SYS_NICE or RLIMIT_NICE");
        int own = StartNiceCheck.ownNice(PROC).getAsInt();
        long pid = groupOfThreeAtNice10();
        assertEquals(10, startNice.autogroupNice(pid).getAsInt());
        // The real calls, each thread's preceded by a look at the session: where autogroups decide,
        // it is what counts against the serving generation, and the thread scan takes milliseconds.
        List<Integer> sessionAtEachThread = new ArrayList<>();
        Native watched = (Native) Proxy.newProxyInstance(Native.class.getClassLoader(), new Class<?>[] {Native.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("setThreadNice")) {
                        sessionAtEachThread.add(startNice.autogroupNice(pid).orElse(Integer.MIN_VALUE));
                    }
                    try {
                        return method.invoke(nat, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        StartNice.GenerationRestore done = new StartNice(watched, PROC).restoreGeneration(pid, own, 0);
        assertEquals(null, done.autogroup());
        assertEquals(null, done.failure());
        assertEquals(3, done.threads().threads(), done.threads().describe());
        assertEquals(List.of(0, 0, 0), sessionAtEachThread, "the session was set back first");
        assertTrue(done.autogroupNanos() <= done.nanos());
        assertTrue(nices(pid).values().stream().allMatch(n -> n == own), () -> nices(pid).toString());
    }

    @Test
    void theAutogroupOfAGroupWhoseLeaderExitedIsSetThroughAProcessLeft() throws Exception {
        Assumptions.assumeTrue(startNice.autogroups(), "needs autogroups (kernel.sched_autogroup_enabled=1)");
        long pid = groupWhoseLeaderExited();
        long helper = lastOfGroup(pid);
        assertEquals(null, startNice.setAutogroupNice(helper, 10));
        assertEquals(null, startNice.restoreAutogroup(pid, 0));
        assertEquals(0, startNice.autogroupNice(helper).getAsInt(), "set through the helper, its session's last process");
    }

    @Test
    void aPidThatLeadsNoGroupOfThatIdHasItsAutogroupLeftAlone() throws Exception {
        Assumptions.assumeTrue(startNice.autogroups(), "needs autogroups (kernel.sched_autogroup_enabled=1)");
        // The group's id once named its leader; gone, the pid may name another process: never touch that one's session.
        long other = lastOfGroup(groupWhoseLeaderExited());
        assertEquals(null, startNice.setAutogroupNice(other, 10));
        assertEquals(null, startNice.restoreAutogroup(other, 0), "no group of that id: nothing to restore");
        assertEquals(10, startNice.autogroupNice(other).getAsInt(), "a process outside the group keeps its session's value");
    }

    /** A child group whose leader (a shell) has exited and been reaped, leaving the sleep it started. */
    private long groupWhoseLeaderExited() throws IOException {
        long pid = children.spawn(1, List.of("sh", "-c", "sleep 30 &"), List.of("PATH=/usr/bin:/bin"));
        started.add(pid);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Files.exists(PROC.resolve(Long.toString(pid))) && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // until the leader has exited and been reaped
        }
        return pid;
    }

    /** The one process left in group {@code pgid}, its leader gone. */
    private long lastOfGroup(long pgid) {
        List<Long> left = startNice.groupMembers(pgid).stream().filter(p -> p != pgid && Files.exists(PROC.resolve(Long.toString(p))))
                .toList();
        assertEquals(1, left.size(), left::toString);
        return left.get(0);
    }

    @Test
    void theAutogroupOfAGroupThatHasGoneNeedsNothing() {
        assertEquals(null, startNice.restoreAutogroup(Integer.MAX_VALUE - 1, 0));
    }

    @Test
    void aGroupThatHasGoneRestoresNothingAndSaysSo() {
        StartNice.Restored r = startNice.restore(Integer.MAX_VALUE - 1, 0);
        assertEquals(0, r.threads());
        assertTrue(r.complete());
    }

    /** A shell and two sleeps in a group of their own, spawned at nice 10 and all three running. */
    private long groupOfThreeAtNice10() throws IOException, InterruptedException {
        long pid = children.spawnNiced(1, List.of("sh", "-c", "sleep 30 & sleep 30 & wait"), List.of("PATH=/usr/bin:/bin"),
                startNice, 10);
        started.add(pid);
        awaitGroupOf(pid, 3);
        return pid;
    }

    private void awaitGroupOf(long pgid, int processes) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (startNice.groupMembers(pgid).stream().filter(p -> Files.exists(PROC.resolve(p + "/task"))).count() < processes) {
            assertTrue(System.nanoTime() < deadline, "the group of " + pgid + " never had " + processes + " processes");
            Thread.sleep(10);
        }
    }

    /** Each thread of each process of the group, by thread id: its nice value. */
    private Map<Long, Integer> nices(long pgid) {
        Map<Long, Integer> m = new java.util.TreeMap<>();
        for (long pid : startNice.groupMembers(pgid)) {
            for (long tid : startNice.threads(pid)) {
                ProcStat.nice(PROC.resolve(pid + "/task/" + tid + "/stat")).ifPresent(n -> m.put(tid, n));
            }
        }
        return m;
    }

    private static String uncheckedNices() {
        try {
            return threadNices(ProcessHandle.current().pid()).toString();
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static List<Integer> threadNices(long pid) throws IOException {
        List<Integer> n = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(PROC.resolve(pid + "/task"))) {
            for (Path t : tasks) {
                ProcStat.nice(t.resolve("stat")).ifPresent(n::add);
            }
        }
        return n;
    }

    @Test
    void aRestoreIsWholeOnlyWithNoRefusalAndNoThreadStillAppearing() {
        assertTrue(new StartNice.Restored(3, 1, 0, 0, 0, 2, true).whole());
        assertTrue(new StartNice.Restored(3, 1, 2, 0, 0, 2, true).whole(), "threads gone meanwhile need no value");
        assertFalse(new StartNice.Restored(3, 1, 0, 1, 1, 2, true).whole(), "one refused");
        assertFalse(new StartNice.Restored(3, 1, 0, 0, 0, 10, false).whole(), "new threads still appearing");
    }
}
