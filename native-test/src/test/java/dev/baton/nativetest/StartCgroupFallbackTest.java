package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Where /sys/fs/cgroup is no cgroup2 mount (cgroup v1 or hybrid, as where these tests run), a real
 * batond says in one line why the cgroup v2 cpu.weight is not available, touches no cgroup, and
 * uses nice: its start line and status say so. (The cgroup path itself is tested against a model
 * of cgroupfs in CgroupCpuWeightTest.)
 */
class StartCgroupFallbackTest {
    private static final Pattern START_PRIORITY = Pattern.compile("batond pid=\\d+ .* start-priority=(.*) child: ");
    private static final Pattern NOT_AVAILABLE = Pattern.compile(
            "INFO .*cgroup v2 cpu.weight not available, nice instead: /sys/fs/cgroup is a (\\S+) mount, not cgroup2 \\(cgroup v1, or hybrid\\)");

    @Test
    @Timeout(120)
    void onCgroupV1BatondSaysWhyAndUsesNice() throws Exception {
        String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
        Assumptions.assumeFalse(mounts.lines().anyMatch(l -> l.split(" ")[4].equals("/sys/fs/cgroup") && l.contains(" - cgroup2 ")),
                "/sys/fs/cgroup is cgroup2 here");
        FaultFile faults = FaultFile.create("StartCgroupFallbackTest", "ok");
        ProcessBuilder command = faults.batond(List.of("--listen", "127.0.0.1:0", "--ready-timeout", "60s"));
        try (BatondProcess batond = BatondProcess.start("StartCgroupFallbackTest", command)) {
            String mechanism = batond.awaitLine(START_PRIORITY, BatondProcess.STARTUP).group(1);
            assertEquals(1, batond.countLines(NOT_AVAILABLE), () -> batond.output().tail(20));
            assertFalse(mechanism.startsWith("cgroup"), mechanism);
            if (!mechanism.startsWith("off:")) {
                assertEquals("nice 19", mechanism); // off only where batond could not lower a nice value again
            }
            assertEquals(CgroupV2Sandbox.v2Line(Path.of("/proc/self/cgroup")),
                    CgroupV2Sandbox.v2Line(Path.of("/proc/" + batond.pid() + "/cgroup")),
                    "batond did not move itself");
            Path control = Path.of(batond.awaitLine(BatondLines.STARTED, Duration.ofSeconds(60)).group(3));
            Map<String, Object> status = BatonctlCommand.run(control, "status", "--json").json();
            assertEquals(mechanism, status.get("start_priority"), status::toString);
        }
    }
}
