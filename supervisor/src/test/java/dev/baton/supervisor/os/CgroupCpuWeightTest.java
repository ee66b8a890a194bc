package dev.baton.supervisor.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cgroup v2 start priority against {@link CgroupFsModel}, a model of cgroupfs on a temporary
 * directory (no delegated subtree exists where these tests run), and detection on this machine.
 */
class CgroupCpuWeightTest {
    static final long BATOND = 700;
    static final String UNIT = "/system.slice/hello.service";

    @TempDir
    Path tmp;
    Path proc;
    CgroupFsModel fs;

    @BeforeEach
    void layOut() throws IOException {
        proc = tmp.resolve("proc");
        Files.createDirectories(proc.resolve("self"));
        fs = new CgroupFsModel(tmp.resolve("cgroup"));
        selfCgroup(UNIT);
        mountinfo("cgroup2 cgroup2 rw,nsdelegate", fs.root);
    }

    void selfCgroup(String path) throws IOException {
        Files.writeString(proc.resolve("self/cgroup"), "0::" + path + "\n");
    }

    void mountinfo(String typeSourceOptions, Path at) throws IOException {
        Files.writeString(proc.resolve("self/mountinfo"),
                "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
                        + "31 23 0:28 / " + at + " rw,nosuid shared:9 - " + typeSourceOptions + "\n");
    }

    CgroupCpuWeight.Setup setUp() {
        return CgroupCpuWeight.setUp(fs, fs.root, proc, BATOND);
    }

    Path unit() {
        return fs.root.resolve(UNIT.substring(1));
    }

    List<String> procs(Path cgroup) throws IOException {
        return fs.words(cgroup.resolve("cgroup.procs"));
    }

    @Test
    void inADelegatedSubtreeBatondMovesIntoItsLeafAndEnablesCpu() throws IOException {
        Path unit = fs.delegated(UNIT, "cpu memory pids", BATOND);
        CgroupCpuWeight.Setup setup = setUp();
        assertNotNull(setup.cgroup(), setup::why);
        assertEquals(unit, setup.cgroup().subtree());
        assertEquals("cgroup cpu.weight 1", setup.cgroup().startPriority().mechanism());
        assertTrue(setup.cgroup().startPriority().on());
        assertEquals(List.of(), procs(unit), "no process left in the subtree's own cgroup");
        assertEquals(List.of("700"), procs(unit.resolve("batond")));
        assertTrue(fs.words(unit.resolve("cgroup.subtree_control")).contains("cpu"));
    }

    @Test
    void afterAnUpgradeBatondIsInItsLeafAlready() throws IOException {
        Path unit = fs.delegated(UNIT, "cpu memory pids", BATOND);
        assertNotNull(setUp().cgroup());
        selfCgroup(UNIT + "/batond"); // the next image, same process
        CgroupCpuWeight.Setup again = setUp();
        assertNotNull(again.cgroup(), again::why);
        assertEquals(unit, again.cgroup().subtree());
        assertFalse(Files.exists(unit.resolve("batond/batond")));
        assertEquals(List.of("700"), procs(unit.resolve("batond")));
    }

    @Test
    void aGenerationStartsAtWeightOneAndGetsTheDefaultAtReady() throws Exception {
        Path unit = fs.delegated(UNIT, "cpu", BATOND);
        CgroupCpuWeight cgroup = setUp().cgroup();
        assertNull(cgroup.prepare(2, CgroupCpuWeight.LOW));
        Path gen = unit.resolve("gen-2");
        assertEquals("1", Files.readString(gen.resolve("cpu.weight")), "before the child runs");
        // The spawn put the child in batond's leaf; it forked once before it was moved.
        fs.write(unit.resolve("batond/cgroup.procs"), "4242");
        fs.write(unit.resolve("batond/cgroup.procs"), "4243");
        fs.write(unit.resolve("batond/cgroup.procs"), "5000"); // another group's: stays
        stat(4243, 4242);
        stat(5000, 5000);
        assertNull(cgroup.place(2, 4242));
        assertEquals(List.of("4242", "4243"), procs(gen));
        assertEquals(List.of("700", "5000"), procs(unit.resolve("batond")));
        assertNull(cgroup.restore(2));
        assertEquals("100", Files.readString(gen.resolve("cpu.weight")));
        assertNull(cgroup.lower(2), "replaced: it drains at the low weight");
        assertEquals("1", Files.readString(gen.resolve("cpu.weight")));

        // Exited, but the kernel still counts a process: removed once it stops.
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        try {
            List<String> warnings = new CopyOnWriteArrayList<>();
            cgroup.remove(2, timers, warnings::add);
            assertTrue(Files.isDirectory(gen), "EBUSY: still there");
            fs.exit(4242);
            fs.exit(4243);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (Files.exists(gen) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertFalse(Files.exists(gen), "removed on a retry");
            assertEquals(List.of(), warnings);
        } finally {
            timers.shutdownNow();
        }
    }

    @Test
    void anEmptyGenerationIsRemovedAtOnceAndOneNeverMadeIsNoError() throws IOException {
        Path unit = fs.delegated(UNIT, "cpu", BATOND);
        CgroupCpuWeight cgroup = setUp().cgroup();
        assertNull(cgroup.prepare(1, CgroupCpuWeight.DEFAULT));
        assertEquals("100", Files.readString(unit.resolve("gen-1/cpu.weight")));
        List<String> warnings = new CopyOnWriteArrayList<>();
        cgroup.remove(1, null, warnings::add); // no retry needed: no timers used
        cgroup.remove(9, null, warnings::add);
        assertFalse(Files.exists(unit.resolve("gen-1")));
        assertEquals(List.of(), warnings);
    }

    @Test
    void aGenerationThatStaysBusyIsGivenUpWithOneWarning() throws Exception {
        fs.delegated(UNIT, "cpu", BATOND);
        CgroupCpuWeight cgroup = setUp().cgroup();
        assertNull(cgroup.prepare(3, CgroupCpuWeight.LOW));
        assertNull(cgroup.place(3, 4300));
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        try {
            List<String> warnings = new CopyOnWriteArrayList<>();
            cgroup.remove(3, timers, warnings::add);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (warnings.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(1, warnings.size(), warnings::toString);
            assertTrue(warnings.get(0).endsWith("gen-3 after " + CgroupCpuWeight.RMDIR_TRIES + " tries: " + CgroupFsModel.EBUSY),
                    warnings.get(0));
        } finally {
            timers.shutdownNow();
        }
    }

    @Test
    void withoutACgroupV2LineItIsNotAvailable() throws IOException {
        fs.delegated(UNIT, "cpu", BATOND);
        Files.writeString(proc.resolve("self/cgroup"), "4:cpu,cpuacct:/\n1:name=systemd:/\n");
        assertNotAvailable("no cgroup v2 line (0::) in " + proc.resolve("self/cgroup") + ": cgroup v1 only");
    }

    @Test
    void onCgroupV1OrHybridItIsNotAvailable() throws IOException {
        fs.delegated(UNIT, "cpu", BATOND);
        // Hybrid: a tmpfs at the root, the v1 hierarchies in it, cgroup2 (without controllers) at unified/.
        Files.writeString(proc.resolve("self/mountinfo"),
                "31 23 0:28 / " + fs.root + " rw - tmpfs tmpfs rw,mode=755\n"
                        + "32 31 0:29 / " + fs.root + "/cpu rw - cgroup cgroup rw,cpu\n"
                        + "41 31 0:38 / " + fs.root + "/unified rw - cgroup2 cgroup2 rw\n");
        assertNotAvailable(fs.root + " is a tmpfs mount, not cgroup2 (cgroup v1, or hybrid)");
        Files.writeString(proc.resolve("self/mountinfo"), "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n");
        assertNotAvailable(fs.root + " is not a mount point, not cgroup2 (cgroup v1, or hybrid)");
    }

    @Test
    void aSubtreeBatondCannotWriteIsNotDelegated() throws IOException {
        Path unit = fs.delegated(UNIT, "cpu", BATOND);
        fs.readOnly.add(unit.resolve("cgroup.subtree_control"));
        assertNotAvailable(unit + " is not writable by batond (not delegated to it: Delegate=yes in its unit)");
    }

    @Test
    void withoutTheCpuControllerItIsNotAvailable() throws IOException {
        Path unit = fs.delegated(UNIT, "memory pids", BATOND);
        assertNotAvailable("the cpu controller is not available in " + unit + " (cgroup.controllers: memory pids)");
    }

    @Test
    void aCgroupSharedWithOtherProcessesIsLeftAlone() throws IOException {
        Path unit = fs.delegated(UNIT, "cpu", 650, BATOND);
        assertNotAvailable("other processes share batond's cgroup " + unit + " (pid 650): it is not delegated to batond alone");
    }

    @Test
    void batondThatCannotMoveIntoItsLeafStaysWhereItWas() throws IOException {
        Path unit = fs.delegated(UNIT, "cpu", BATOND);
        fs.failures.put(unit.resolve("batond/cgroup.procs"), "Permission denied");
        assertFailed("cannot move batond into " + unit.resolve("batond") + ": Permission denied");
        fs.failures.clear();
        fs.failures.put(unit.resolve("batond"), "Too many links");
        assertFailed("cannot create " + unit.resolve("batond") + ": Too many links");
    }

    @Test
    void aSubtreeThatCannotEnableCpuGetsBatondBack() throws IOException {
        Path unit = fs.delegated(UNIT, "cpu", BATOND);
        fs.failures.put(unit.resolve("cgroup.subtree_control"), "Operation not supported");
        assertFailed("cannot enable the cpu controller in " + unit.resolve("cgroup.subtree_control") + ": Operation not supported");
    }

    @Test
    void aGenerationWhoseCgroupCannotBeSetUpIsLeftInBatondsLeaf() throws IOException {
        Path unit = fs.delegated(UNIT, "cpu", BATOND);
        CgroupCpuWeight cgroup = setUp().cgroup();
        fs.failures.put(unit.resolve("gen-4/cpu.weight"), "Invalid argument");
        assertEquals("cannot set " + unit.resolve("gen-4/cpu.weight") + " to 1: Invalid argument", cgroup.prepare(4, 1));
        assertFalse(Files.exists(unit.resolve("gen-4")), "undone");
        fs.failures.clear();
        assertNull(cgroup.prepare(5, 1));
        fs.failures.put(unit.resolve("gen-5/cgroup.procs"), "No such process");
        assertEquals("cannot move it into " + unit.resolve("gen-5/cgroup.procs") + ": No such process", cgroup.place(5, 4500));
        assertFalse(Files.exists(unit.resolve("gen-5")), "undone");
        assertTrue(cgroup.restore(5).startsWith("cannot set " + unit.resolve("gen-5/cpu.weight") + " to 100: "));
        assertTrue(cgroup.lower(5).startsWith("cannot set " + unit.resolve("gen-5/cpu.weight") + " to 1: "));
    }

    /** Here (and in CI) cgroup v1 or hybrid: not available, and nothing touched. */
    @Test
    void onThisMachineItIsNotAvailable() throws IOException {
        String type = CgroupCpuWeight.fsType(Files.readString(Path.of("/proc/self/mountinfo")), "/sys/fs/cgroup");
        Assumptions.assumeFalse("cgroup2".equals(type), "this machine has cgroup v2 at /sys/fs/cgroup");
        CgroupCpuWeight.Setup setup = CgroupCpuWeight.setUp(Path.of("/sys/fs/cgroup"), Path.of("/proc"), ProcessHandle.current().pid());
        assertNull(setup.cgroup());
        assertFalse(setup.failed());
        assertTrue(setup.why().equals("/sys/fs/cgroup is a " + type + " mount, not cgroup2 (cgroup v1, or hybrid)")
                || setup.why().endsWith("cgroup v1 only"), setup.why());
    }

    private void assertNotAvailable(String why) throws IOException {
        String before = snapshot();
        CgroupCpuWeight.Setup setup = setUp();
        assertNull(setup.cgroup());
        assertEquals(why, setup.why());
        assertFalse(setup.failed());
        assertEquals(before, snapshot(), "nothing changed");
    }

    private void assertFailed(String why) throws IOException {
        String before = snapshot();
        CgroupCpuWeight.Setup setup = setUp();
        assertNull(setup.cgroup());
        assertEquals(why, setup.why());
        assertTrue(setup.failed());
        assertEquals(before, snapshot(), "undone");
    }

    /** Every cgroup and its processes and enabled controllers. */
    private String snapshot() throws IOException {
        StringBuilder s = new StringBuilder();
        try (var all = Files.walk(fs.root)) {
            for (Path dir : all.filter(Files::isDirectory).sorted().toList()) {
                s.append(fs.root.relativize(dir)).append(' ').append(procs(dir)).append(' ')
                        .append(fs.words(dir.resolve("cgroup.subtree_control"))).append('\n');
            }
        }
        return s.toString();
    }

    private void stat(long pid, long group) throws IOException {
        Files.createDirectories(proc.resolve(Long.toString(pid)));
        // As the kernel writes it, up to field 22 (start time), which ProcStat reads too.
        Files.writeString(proc.resolve(pid + "/stat"), pid + " (java) S 1 " + group + " " + group
                + " 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 12345 0 0\n");
    }
}
