package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The start priority through cgroup v2 on a real cgroupfs with the cpu controller
 * ({@link CgroupV2Sandbox}): batond moves itself into the leaf {@code batond}, generation 1 runs
 * in {@code gen-1} at cpu.weight 100, a reload's new generation in {@code gen-2} at cpu.weight 1
 * while it starts and 100 once READY; an exited generation's cgroup is removed, and so is every
 * generation's at shutdown. Status names the mechanism.
 */
class StartCgroupV2Test {
    private static final Duration EVENT = Duration.ofSeconds(60);
    private static final Pattern START_PRIORITY = Pattern.compile("batond pid=\\d+ .* start-priority=(.*) child: ");
    private static final Pattern RESTORED = Pattern.compile("gen=2 pid=\\d+ start priority restored: cpu.weight 100");

    @Test
    @Timeout(300)
    void eachGenerationInACgroupOfItsOwnAtWeightOneUntilReady() throws Exception {
        try (CgroupV2Sandbox sandbox = CgroupV2Sandbox.create("baton-StartCgroupV2Test")) {
            // A start that burns CPU on two threads for 2 s: long enough to be seen at weight 1.
            List<String> args = new ArrayList<>(List.of("--listen", "127.0.0.1:0", "--ready-timeout", "60s",
                    "--drain-timeout", "20s", "--", "env", "HELLO_START_CPU_MS=2000", "HELLO_START_CPU_THREADS=2"));
            args.addAll(Artifacts.helloCommand());
            ProcessBuilder command = sandbox.wrap(BatondLauncher.batond(List.of(), args));
            Path subtree = sandbox.subtree();
            try (BatondProcess batond = BatondProcess.start("StartCgroupV2Test", command)) {
                assertEquals("cgroup cpu.weight 1", batond.awaitLine(START_PRIORITY, BatondProcess.STARTUP).group(1),
                        () -> batond.output().tail(20));
                Path control = Path.of(batond.awaitLine(BatondLines.STARTED, EVENT).group(3));
                String gen1 = batond.awaitLine(BatondLines.spawned(1), EVENT).group(1);
                batond.awaitLine(BatondLines.ready(1), EVENT);
                assertEquals("0::" + sandbox.path() + "/batond",
                        CgroupV2Sandbox.v2Line(Path.of("/proc/" + batond.pid() + "/cgroup")), "batond is in its leaf");
                assertTrue(procs(subtree.resolve("gen-1")).contains(gen1), "generation 1 in gen-1");
                assertEquals("100", weight(subtree.resolve("gen-1")), "the first generation starts at full weight");

                batond.signal("USR2");
                String gen2 = batond.awaitLine(BatondLines.spawned(2), EVENT).group(1);
                Path cgroup2 = subtree.resolve("gen-2");
                await(() -> procs(cgroup2).contains(gen2), "generation 2 never appeared in gen-2");
                // batond gives the weight back at READY, or 2 s after the spawn at the latest.
                assertEquals(0, batond.countLines(RESTORED), "restored before the child was even seen in gen-2");
                assertEquals("1", weight(cgroup2), "a reload's new generation starts at weight 1");
                assertEquals(0, batond.countLines(BatondLines.ready(2)), "READY before its low weight was seen");

                batond.awaitLine(BatondLines.ready(2), EVENT);
                await(() -> "100".equals(weight(cgroup2)), "gen-2 never got weight 100 back");
                assertEquals(1, batond.countLines(RESTORED), () -> batond.output().tail(20));
                // The replaced generation drains at the low weight (--drain-nice, on by default).
                batond.awaitLine(Pattern.compile("gen=1 pid=" + gen1 + " drains at cpu.weight 1"), EVENT);
                batond.awaitLine(BatondLines.exited(1), EVENT);
                await(() -> !Files.exists(subtree.resolve("gen-1")), "gen-1 left behind after generation 1 exited");

                Map<String, Object> status = BatonctlCommand.run(control, "status", "--json").json();
                assertEquals("cgroup cpu.weight 1", status.get("start_priority"), status::toString);

                batond.signal("TERM");
                assertEquals(0, batond.waitFor(EVENT), () -> batond.output().tail(20));
                await(() -> !Files.exists(cgroup2), "gen-2 left behind after shutdown");
                assertFalse(Files.exists(subtree.resolve("gen-3")));
                assertEquals(0, batond.countLines(BatondLines.STACK_FRAME), "stack frames in batond's log");
            }
        }
    }

    private static String weight(Path cgroup) {
        try {
            return Files.readString(cgroup.resolve("cpu.weight")).strip();
        } catch (IOException e) {
            return "unreadable: " + e;
        }
    }

    private static List<String> procs(Path cgroup) {
        try {
            return Files.readAllLines(cgroup.resolve("cgroup.procs"));
        } catch (IOException e) {
            return List.of();
        }
    }

    private static void await(BooleanSupplier condition, String failure) throws InterruptedException {
        long deadline = System.nanoTime() + EVENT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure);
            }
            Thread.sleep(10); // a polling interval: the condition decides
        }
    }
}
