package dev.baton.nativetest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

/**
 * A real cgroup v2 subtree with the cpu controller, delegated to one batond, on a host whose
 * /sys/fs/cgroup is cgroup v1 or hybrid (as where these tests run): the cgroup2 hierarchy mounted
 * elsewhere (hybrid: /sys/fs/cgroup/unified) is bound over /sys/fs/cgroup in a private mount
 * namespace of batond's own. Where the cpu controller is still bound to an empty v1 hierarchy, that
 * hierarchy is unmounted so that the kernel hands the controller to cgroup v2, and mounted again
 * on {@link #close}, which undoes everything else too. Needs root; skips the test (with the
 * reason) where it cannot be had.
 */
final class CgroupV2Sandbox implements AutoCloseable {
    private final Path root;
    private final Path subtree;
    private final boolean enabledCpu;
    private final String unmountedV1Cpu;

    private CgroupV2Sandbox(Path root, Path subtree, boolean enabledCpu, String unmountedV1Cpu) {
        this.root = root;
        this.subtree = subtree;
        this.enabledCpu = enabledCpu;
        this.unmountedV1Cpu = unmountedV1Cpu;
    }

    static CgroupV2Sandbox create(String name) throws IOException, InterruptedException {
        Assumptions.assumeTrue("0".equals(run("id", "-u").strip()), "needs root to mount and delegate cgroups");
        Assumptions.assumeTrue(run("sh", "-c", "command -v unshare || true").contains("unshare"), "needs unshare(1)");
        Optional<Path> found = mounts().stream().filter(m -> m.type().equals("cgroup2")).map(Mount::point).findFirst();
        Assumptions.assumeTrue(found.isPresent(), "no cgroup2 hierarchy mounted");
        Path root = found.get();
        String unmounted = null;
        if (!controllers(root).contains("cpu")) {
            // The v1 mount that has exactly the cpu controller (its super options: rw,cpu).
            Optional<Path> v1 = mounts().stream().filter(m -> m.type().equals("cgroup") && m.options().contains("cpu")
                    && !m.options().contains("cpuacct")).map(Mount::point).findFirst();
            Assumptions.assumeTrue(v1.isPresent(), "cpu is in neither cgroup2's controllers nor a v1 hierarchy");
            try (Stream<Path> children = Files.list(v1.get())) {
                Assumptions.assumeTrue(children.noneMatch(Files::isDirectory), "the v1 cpu hierarchy is in use");
            }
            try {
                run("umount", v1.get().toString());
            } catch (IOException e) {
                // EBUSY: something outside the test holds the hierarchy (a file open in it, say
                // the machine's own init), so cpu cannot move to cgroup2 on this machine.
                Assumptions.abort("the v1 cpu hierarchy cannot be unmounted: " + e.getMessage());
            }
            unmounted = v1.get().toString();
            // The kernel destroys the emptied hierarchy, then offers its controller to cgroup2: not at once.
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!controllers(root).contains("cpu") && System.nanoTime() < deadline) {
                Thread.sleep(100); // a polling interval: the controllers file decides
            }
            if (!controllers(root).contains("cpu")) {
                remountV1Cpu(unmounted);
                Assumptions.abort("the kernel did not hand the cpu controller to cgroup2");
            }
        }
        boolean enabled = !Files.readString(root.resolve("cgroup.subtree_control")).contains("cpu");
        Path subtree = root.resolve(name + "-" + ProcessHandle.current().pid());
        try {
            if (enabled) {
                Files.writeString(root.resolve("cgroup.subtree_control"), "+cpu");
            }
            Files.createDirectory(subtree);
        } catch (IOException | RuntimeException e) {
            new CgroupV2Sandbox(root, subtree, enabled, unmounted).close();
            throw e;
        }
        return new CgroupV2Sandbox(root, subtree, enabled, unmounted);
    }

    /** The subtree's path in the cgroup2 hierarchy, as /proc/PID/cgroup names it: /NAME-PID. */
    String path() {
        return "/" + root.relativize(subtree);
    }

    /** The subtree as batond sees it: under /sys/fs/cgroup in its own mount namespace. */
    Path seenByBatond() {
        return Path.of("/sys/fs/cgroup" + path());
    }

    /** The cgroup v2 line ({@code 0::/PATH}) of a {@code /proc/PID/cgroup}; "none" without one. */
    static String v2Line(Path procCgroup) throws IOException {
        return Files.readAllLines(procCgroup).stream().filter(l -> l.startsWith("0::")).findFirst().orElse("none");
    }

    /** The subtree as this JVM sees it. */
    Path subtree() {
        return subtree;
    }

    /**
     * {@code batond} wrapped: a private mount namespace with the cgroup2 hierarchy on /sys/fs/cgroup,
     * the process moved into the subtree (alone there), then batond exec'd in its place, same pid.
     */
    ProcessBuilder wrap(ProcessBuilder batond) {
        List<String> command = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount --bind \"$0\" /sys/fs/cgroup && echo $$ > \"$1/cgroup.procs\" && shift && exec \"$@\"",
                root.toString(), seenByBatond().toString()));
        command.addAll(batond.command());
        return batond.command(command);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (Files.isDirectory(subtree)) {
            // Deepest first; a cgroup with controllers enabled for its children must lose them before rmdir.
            List<Path> cgroups;
            try (Stream<Path> all = Files.walk(subtree)) {
                cgroups = all.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList();
            }
            for (Path cgroup : cgroups) {
                Files.delete(cgroup);
            }
        }
        if (enabledCpu) {
            Files.writeString(root.resolve("cgroup.subtree_control"), "-cpu");
        }
        if (unmountedV1Cpu != null) {
            remountV1Cpu(unmountedV1Cpu);
        }
    }

    static String controllers(Path cgroup) throws IOException {
        return " " + Files.readString(cgroup.resolve("cgroup.controllers")).strip() + " ";
    }

    /** The kernel refuses (EBUSY) while cgroup2 still has a dying cgroup with cpu: tried until it accepts. */
    private static void remountV1Cpu(String where) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            try {
                run("mount", "-t", "cgroup", "-o", "cpu", "cgroup", where);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            Thread.sleep(200); // a polling interval: the mount decides
        }
    }

    /** One line of /proc/self/mountinfo: where, what filesystem, its super options. */
    private record Mount(Path point, String type, List<String> options) {}

    private static List<Mount> mounts() throws IOException {
        List<Mount> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] after = line.substring(line.indexOf(" - ") + 3).split(" ");
            mounts.add(new Mount(Path.of(line.split(" ")[4]), after[0], List.of(after[2].split(","))));
        }
        return mounts;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out.strip());
        }
        return out;
    }
}
