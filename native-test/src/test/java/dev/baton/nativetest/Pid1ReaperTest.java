package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * batond as PID 1 of a pid namespace (as in a container) inherits every orphan there and reaps
 * them: no zombie is left with batond as its parent.
 */
class Pid1ReaperTest {
    private static final List<String> UNSHARE = List.of("unshare", "--pid", "--fork", "--mount-proc");
    private static final int ORPHANS = 20;
    private static final Duration EVENT = Duration.ofSeconds(30);
    /** The orphans sleep 0.2 s and batond scans for zombies every second: 10 s is plenty. */
    private static final Duration REAPED = Duration.ofSeconds(10);
    private static final long POLL_MILLIS = 100;

    @Test
    @Timeout(120)
    void orphansOfTheNamespaceAreReaped() throws Exception {
        assumeUnshareWorks();
        FaultFile faults = FaultFile.create("Pid1ReaperTest", "orphans");
        ProcessBuilder command = faults.batond(List.of(
                "--listen", "127.0.0.1:0", "--ready-timeout", "30s", "--drain-timeout", "10s"));
        command.command().addAll(0, UNSHARE);
        try (BatondProcess batond = BatondProcess.startInOwnPidNamespace("Pid1ReaperTest", command)) {
            Matcher started = batond.awaitLine(BatondLines.STARTED, BatondProcess.STARTUP);
            assertEquals("1", started.group(1), () -> "batond is not PID 1 of its namespace: " + started.group());
            long batondPid = outerPid(batond);

            batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);
            batond.awaitLine("faulty-child left " + ORPHANS + " orphans", EVENT);
            batond.awaitLine(BatondLines.REAPED, REAPED);

            // Wait (bounded) for the state: every orphan reaped, no zombie left under batond.
            long deadline = System.nanoTime() + REAPED.toNanos();
            Set<Long> reaped = reapedPids(batond);
            List<String> zombies = zombieChildren(batondPid);
            while ((reaped.size() < ORPHANS || !zombies.isEmpty()) && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
                reaped = reapedPids(batond);
                zombies = zombieChildren(batondPid);
            }
            assertEquals(List.of(), zombies, "zombies whose parent is batond (pid " + batondPid + " here)");
            Set<Long> all = reaped;
            assertEquals(ORPHANS, all.size(), () -> "reaped " + all + "\n" + batond.output().tail(40));
            assertTrue(batond.isAlive());
            assertEquals(1, batond.countLines(BatondLines.ANY_SPAWNED), () -> batond.output().tail(40));
            assertEquals(0, batond.countLines(BatondLines.died(1)), () -> batond.output().tail(40));
            HttpResponse response = HttpProbe.get(batond.port(), "/");
            assertEquals(1, response.generation().orElse(-1), response::toString);

            BatondProcess.kill("TERM", batondPid);
            assertEquals(0, batond.waitFor(Duration.ofSeconds(40)), () -> batond.output().tail(40));
            assertEquals("0", batond.awaitLine(BatondLines.EXITING, Duration.ofSeconds(5)).group(1));
            assertFalse(ProcessHandle.of(batondPid).map(ProcessHandle::isAlive).orElse(false));
        }
    }

    /** Skips when this machine cannot make pid namespaces (no unshare, or not permitted). */
    private static void assumeUnshareWorks() throws InterruptedException {
        List<String> probe = new ArrayList<>(UNSHARE);
        probe.add("true");
        Process process;
        try {
            process = new ProcessBuilder(probe).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeFalse(true, "unshare is not installed: " + e.getMessage());
            return;
        }
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                throw new AssertionError(String.join(" ", probe) + " did not finish");
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assumeFalse(process.exitValue() != 0 && output.contains("Operation not permitted"),
                    "no permission for pid namespaces: " + output);
            assertEquals(0, process.exitValue(), () -> String.join(" ", probe) + " failed: " + output);
        } catch (IOException e) {
            throw new AssertionError("cannot read the output of " + probe, e);
        } finally {
            process.destroyForcibly();
        }
    }

    /** batond's pid as this JVM sees it: the java child of unshare running batond.jar. */
    private static long outerPid(BatondProcess batond) {
        ProcessHandle unshare = ProcessHandle.of(batond.pid()).orElseThrow();
        List<ProcessHandle> found = unshare.children()
                .filter(p -> p.info().commandLine().map(c -> c.contains("batond.jar")).orElse(false))
                .toList();
        assertEquals(1, found.size(), () -> "the batond under unshare: " + unshare.children()
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList());
        return found.get(0).pid();
    }

    /** Every pid listed in batond's {@code reaped orphaned process(es) [...]} lines. */
    private static Set<Long> reapedPids(BatondProcess batond) {
        Set<Long> pids = new TreeSet<>();
        for (Matcher m : batond.output().matches(BatondLines.REAPED)) {
            for (String pid : m.group(1).split(",")) {
                if (!pid.isBlank()) {
                    pids.add(Long.parseLong(pid.strip()));
                }
            }
        }
        return pids;
    }

    /** {@code PID (COMM)} of each zombie in this JVM's /proc whose parent is {@code parent}. */
    private static List<String> zombieChildren(long parent) throws IOException {
        List<String> zombies = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path entry : entries) {
                String stat;
                try {
                    stat = Files.readString(entry.resolve("stat"));
                } catch (IOException gone) {
                    continue; // the process went away while we looked
                }
                // "PID (COMM) STATE PPID ...": COMM may itself contain ") ".
                int close = stat.lastIndexOf(')');
                String[] rest = stat.substring(close + 2).split(" ", 3);
                if (rest[0].equals("Z") && Long.parseLong(rest[1]) == parent) {
                    zombies.add(stat.substring(0, close + 1));
                }
            }
        }
        return zombies;
    }
}
