package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code --start-nice}: a reload's new generation, a real JVM, runs every thread at nice 19 while
 * it starts, and every thread, those it created while starting too, has batond's nice value once
 * it is READY, before the old generation is told to drain. Threads that come and go, or a child
 * that exits, while batond restores them do not disturb the reload, nor the next one.
 * {@code --start-nice 0} leaves the child's priority alone, and so does a batond without the
 * permission to restore it. (Restoring needs CAP_SYS_NICE or RLIMIT_NICE: the tests run as root,
 * and drop the capability with setpriv where they need it gone.)
 */
class LowPriorityStartTest {
    private static final Duration EVENT = Duration.ofSeconds(60);
    private static final Pattern EARLY = Pattern.compile("gen=2 pid=\\d+ not READY after 2s at low priority");
    private static final Pattern START_PRIORITY = Pattern.compile("batond pid=\\d+ .* start-priority=(.*) child: ");

    static Pattern restored(int generation) {
        return Pattern.compile("gen=" + generation + " pid=(\\d+) start priority restored to nice (-?\\d+)(?: in part)?: (.*)");
    }

    @Test
    @Timeout(300)
    void aReloadsNewGenerationStartsAtNice19AndEveryThreadGetsBatondsNiceAtReady() throws Exception {
        FaultFile faults = FaultFile.create("LowPriorityStartTest", "ok");
        Files.deleteIfExists(faults.goFile());
        ProcessBuilder command = faults.batond(List.of("--listen", "127.0.0.1:0", "--ready-timeout", "60s", "--drain-timeout", "10s"));
        try (BatondProcess batond = BatondProcess.start("LowPriorityStartTest", command)) {
            String mechanism = batond.awaitLine(START_PRIORITY, BatondProcess.STARTUP).group(1);
            Assumptions.assumeTrue(mechanism.equals("nice 19"), "start priority here: " + mechanism);
            int own = nices(batond.pid()).values().iterator().next();
            long gen1 = Long.parseLong(batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP).group(1));
            assertAll(gen1, own, "gen=1 is no reload: it starts at batond's priority");

            // A reload to a child that waits, with its threads started, until the test lets it say READY.
            faults.set("ready-on-file");
            batond.signal("USR2");
            batond.awaitLine("faulty-child gen=2 waiting for ", EVENT);
            long gen2 = batond.spawnedChildren().get(2);
            Map<Long, Integer> starting = nices(gen2);
            assertTrue(starting.size() >= 8, () -> "a JVM has more threads than " + starting);
            boolean allLow = starting.values().stream().allMatch(n -> n == 19);
            if (!allLow) {
                // Only when this machine is so busy that the child took the whole low window (2 s) to start:
                // batond then gives it its priority back early, and says so.
                batond.awaitLine(EARLY, Duration.ofSeconds(10));
            } else {
                assertAutogroup(gen2, 19, "while gen=2 starts");
            }
            awaitThreadNamed(gen2, "start-early"); // a new thread names itself once it runs
            assertTrue(nices(batond.pid()).values().stream().allMatch(n -> n == own),
                    () -> "no thread of batond's stays niced: " + nices(batond.pid()));
            assertEquals(0, batond.countLines(BatondLines.draining(1)), "gen=1 serves on while gen=2 starts");

            Files.writeString(faults.goFile(), "go\n");
            batond.awaitLine(BatondLines.reloadComplete(2), EVENT);
            Matcher restore = batond.awaitLine(restored(2), EVENT);
            assertEquals(own, Integer.parseInt(restore.group(2)), restore.group());
            awaitThreadNamed(gen2, "start-late");
            assertAll(gen2, own, "after gen=2 said READY");
            assertAutogroup(gen2, 0, "after gen=2 said READY");
            assertTrue(lineIndex(batond, restored(2)) < lineIndex(batond, BatondLines.draining(1)),
                    () -> "the restore comes before the old generation's SIGTERM:\n" + batond.output().tail(30));

            Path control = Path.of(batond.awaitLine(BatondLines.STARTED, EVENT).group(3));
            Map<String, Object> status = BatonctlCommand.run(control, "status", "--json").json();
            assertEquals("nice 19", status.get("start_priority"), status::toString);
            Map<?, ?> serving = ((List<?>) status.get("generations")).stream().map(g -> (Map<?, ?>) g)
                    .filter(g -> g.get("generation").equals(2)).findFirst().orElseThrow();
            assertEquals("restored", serving.get("start_priority"), status::toString);
            Files.delete(faults.goFile());

            // Threads that start and end while batond restores them: counted, never in the way.
            faults.set("thread-churn");
            batond.signal("USR2");
            batond.awaitLine(BatondLines.reloadComplete(3), EVENT);
            Matcher churned = batond.awaitLine(restored(3), EVENT);
            assertTrue(!churned.group(3).contains("still appearing") && !churned.group(3).contains("refused"), churned.group());
            assertAll(batond.spawnedChildren().get(3), own, "after gen=3 said READY");

            // A child that is gone as soon as it said READY: the restore finds little or nothing, the
            // reload still completes, batond restarts the service, and the next reload works.
            faults.set("exit-at-ready");
            batond.signal("USR2");
            batond.awaitLine("faulty-child gen=4 mode=exit-at-ready", EVENT);
            faults.set("ok");
            batond.awaitLine(BatondLines.reloadComplete(4), EVENT);
            batond.awaitLine(BatondLines.died(4), EVENT);
            batond.awaitLine(BatondLines.ready(5), EVENT);
            assertAll(batond.spawnedChildren().get(5), own, "gen=5, a restart with nothing serving, starts at batond's priority");
            batond.signal("USR2");
            batond.awaitLine(BatondLines.reloadComplete(6), EVENT);
            batond.awaitLine(restored(6), EVENT);
            assertAll(batond.spawnedChildren().get(6), own, "after gen=6 said READY");
            assertTrue(batond.isAlive());
        }
    }

    @Test
    @Timeout(180)
    void startNiceZeroLeavesPrioritiesAlone() throws Exception {
        FaultFile faults = FaultFile.create("LowPriorityStartTest-off", "ok");
        Files.deleteIfExists(faults.goFile());
        ProcessBuilder command = faults.batond(List.of("--listen", "127.0.0.1:0", "--ready-timeout", "60s", "--drain-timeout", "10s",
                "--start-nice", "0"));
        try (BatondProcess batond = BatondProcess.start("LowPriorityStartTest-off", command)) {
            assertEquals("off: --start-nice 0", batond.awaitLine(START_PRIORITY, BatondProcess.STARTUP).group(1));
            int own = nices(batond.pid()).values().iterator().next();
            batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);
            faults.set("ready-on-file");
            batond.signal("USR2");
            batond.awaitLine("faulty-child gen=2 waiting for ", EVENT);
            assertAll(batond.spawnedChildren().get(2), own, "while gen=2 starts");
            assertAutogroup(batond.spawnedChildren().get(2), 0, "while gen=2 starts");
            Files.writeString(faults.goFile(), "go\n");
            batond.awaitLine(BatondLines.reloadComplete(2), EVENT);
            assertAll(batond.spawnedChildren().get(2), own, "after gen=2 said READY");
            assertEquals(0, batond.countLines(Pattern.compile("start priority restored")), () -> batond.output().tail(30));
            Files.delete(faults.goFile());
        }
    }

    /**
     * A batond that could not lower a child's nice value again (no CAP_SYS_NICE, RLIMIT_NICE 0) never
     * raises it: one warning says why, the start line and status say off, and a reload's new
     * generation runs at batond's own priority throughout.
     */
    @Test
    @Timeout(180)
    void withoutThePermissionToRestoreItIsOffAndSaysWhy() throws Exception {
        FaultFile faults = FaultFile.create("LowPriorityStartTest-unprivileged", "ok");
        Files.deleteIfExists(faults.goFile());
        ProcessBuilder command = faults.batond(List.of("--listen", "127.0.0.1:0", "--ready-timeout", "60s", "--drain-timeout", "10s"));
        List<String> dropped = new java.util.ArrayList<>(List.of("prlimit", "--nice=0:0", "setpriv", "--bounding-set=-sys_nice", "--"));
        dropped.addAll(command.command()); // both exec in place: batond keeps the pid the test knows
        command.command(dropped);
        try (BatondProcess batond = BatondProcess.start("LowPriorityStartTest-unprivileged", command)) {
            String mechanism = batond.awaitLine(START_PRIORITY, BatondProcess.STARTUP).group(1);
            assertTrue(mechanism.startsWith("off: batond could not give a child its priority back (it needs CAP_SYS_NICE"),
                    mechanism);
            assertEquals(1, batond.countLines(Pattern.compile("WARN .*--start-nice 19 is off: batond could not give")),
                    () -> batond.output().tail(20));
            int own = nices(batond.pid()).values().iterator().next();
            batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);
            faults.set("ready-on-file");
            batond.signal("USR2");
            batond.awaitLine("faulty-child gen=2 waiting for ", EVENT);
            assertAll(batond.spawnedChildren().get(2), own, "while gen=2 starts");
            assertAutogroup(batond.spawnedChildren().get(2), 0, "while gen=2 starts");
            Path control = Path.of(batond.awaitLine(BatondLines.STARTED, EVENT).group(3));
            Map<String, Object> status = BatonctlCommand.run(control, "status", "--json").json();
            assertEquals(mechanism, status.get("start_priority"), status::toString);
            Files.writeString(faults.goFile(), "go\n");
            batond.awaitLine(BatondLines.reloadComplete(2), EVENT);
            assertEquals(0, batond.countLines(Pattern.compile("start priority restored")), () -> batond.output().tail(30));
            Files.delete(faults.goFile());
        }
    }

    /**
     * Where the kernel shares the CPU between sessions first (autogroups), the session of the child
     * has {@code nice} ("/autogroup-N nice X" in /proc/PID/autogroup): a thread's nice alone would
     * not count against another session's.
     */
    static void assertAutogroup(long pid, int nice, String when) throws IOException {
        Path enabled = Path.of("/proc/sys/kernel/sched_autogroup_enabled");
        if (!Files.exists(enabled) || !Files.readString(enabled).strip().equals("1")) {
            return;
        }
        String autogroup = Files.readString(Path.of("/proc", Long.toString(pid), "autogroup")).strip();
        assertTrue(autogroup.endsWith(" nice " + nice), () -> when + ": " + autogroup);
    }

    /** Every thread of the process has {@code nice}; read from field 19 of /proc/PID/task/TID/stat. */
    static void assertAll(long pid, int nice, String when) {
        Map<Long, Integer> nices = nices(pid);
        assertTrue(!nices.isEmpty(), when + ": pid " + pid + " has no threads");
        assertTrue(nices.values().stream().allMatch(n -> n == nice),
                () -> when + ": every thread of pid " + pid + " should have nice " + nice + ": " + nices);
    }

    /** Thread id to nice value, for every thread of the process that is still there. */
    static Map<Long, Integer> nices(long pid) {
        Map<Long, Integer> m = new TreeMap<>();
        for (Path task : tasks(pid)) {
            try {
                String stat = Files.readString(task.resolve("stat"));
                String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                m.put(Long.parseLong(task.getFileName().toString()), Integer.parseInt(rest[19 - 3]));
            } catch (IOException e) {
                // the thread ended meanwhile
            }
        }
        return m;
    }

    private static void awaitThreadNamed(long pid, String name) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!threadNames(pid).contains(name)) {
            assertTrue(System.nanoTime() < deadline, () -> "pid " + pid + " has no thread " + name + ": " + threadNames(pid));
            Thread.sleep(20);
        }
    }

    private static List<String> threadNames(long pid) {
        List<String> names = new java.util.ArrayList<>();
        for (Path task : tasks(pid)) {
            try {
                names.add(Files.readString(task.resolve("comm")).strip());
            } catch (IOException e) {
                // ended
            }
        }
        return names;
    }

    private static List<Path> tasks(long pid) {
        List<Path> tasks = new java.util.ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            entries.forEach(tasks::add);
        } catch (IOException e) {
            // gone
        }
        return tasks;
    }

    private static int lineIndex(BatondProcess batond, Pattern pattern) {
        List<String> lines = batond.output().lines();
        for (int i = 0; i < lines.size(); i++) {
            if (pattern.matcher(lines.get(i)).find()) {
                return i;
            }
        }
        throw new AssertionError("no line " + pattern + " in\n" + batond.output().tail(40));
    }
}
