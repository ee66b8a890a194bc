package dev.baton.protocol;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where the control socket lives when {@code --control} is not given; batond and batonctl
 * share this rule, so under systemd (which sets RUNTIME_DIRECTORY for every Exec line of the
 * unit) {@code ExecReload=batonctl reload --wait} finds its batond with no flag.
 */
public final class ControlPath {
    private ControlPath() {}

    /** The control socket batond listens on and batonctl connects to when no --control is given. */
    public static Path fromEnvironment(Map<String, String> env) {
        String runtime = env.get("RUNTIME_DIRECTORY");
        if (runtime != null && !runtime.isEmpty()) {
            return Path.of(runtime.split(":")[0], "control"); // systemd may list several, ':'-separated
        }
        String xdg = env.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isEmpty()) {
            return Path.of(xdg, "baton", "control");
        }
        long uid = uid();
        return uid == 0 ? Path.of("/run/baton/control") : Path.of("/tmp/baton-" + uid, "control");
    }

    private static long uid() {
        try {
            Object uid = java.nio.file.Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return ((Number) uid).longValue();
        } catch (Exception e) {
            return -1;
        }
    }
}
