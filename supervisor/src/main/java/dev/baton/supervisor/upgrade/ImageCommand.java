package dev.baton.supervisor.upgrade;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What batond execs to replace itself: the launcher that started it ({@code $BATOND_LAUNCHER},
 * which bin/batond sets to itself) with batond's own arguments, so that the launcher picks the
 * jar and the JDK anew; without one, the JVM's own command line from /proc/self/cmdline, its
 * {@code java} looked up on PATH again. Either way in batond's own environment, the one it
 * started with: BATOND_JAVA_OPTS and BATOND_JAR are as they were then.
 *
 * @param path      the file to exec
 * @param argv      its arguments, argv[0] first
 * @param argsAt    where batond's own arguments begin in argv (the check-only flag goes there)
 */
public record ImageCommand(String path, List<String> argv, int argsAt) {
    public static final String LAUNCHER = "BATOND_LAUNCHER";
    /** The first argument of the check-only run; the state version it must read follows the '='. */
    public static final String CHECK_ONLY = "--check-only=";

    public ImageCommand {
        argv = List.copyOf(argv);
    }

    /** The command that would start this batond again with {@code batondArgs}. */
    public static ImageCommand current(Map<String, String> env, List<String> batondArgs, Path proc) throws IOException {
        String launcher = env.get(LAUNCHER);
        if (launcher != null && !launcher.isEmpty()) {
            List<String> argv = new ArrayList<>();
            argv.add(launcher);
            argv.addAll(batondArgs);
            return new ImageCommand(launcher, argv, 1);
        }
        byte[] cmdline = Files.readAllBytes(proc.resolve("self/cmdline"));
        List<String> argv = new ArrayList<>(List.of(new String(cmdline, StandardCharsets.UTF_8).split("\0")));
        int argsAt = argv.size() - batondArgs.size();
        if (argsAt < 1 || !argv.subList(argsAt, argv.size()).equals(batondArgs)) {
            throw new IOException("cannot tell batond's arguments in /proc/self/cmdline: start batond through bin/batond"
                    + " or set " + LAUNCHER);
        }
        return new ImageCommand(onPath(argv.get(0), env.getOrDefault("PATH", "")), argv, argsAt);
    }

    /** The same command asked only to check itself: {@code --check-only=VERSION} before batond's arguments. */
    public List<String> checkOnly(int stateVersion) {
        List<String> check = new ArrayList<>(argv);
        check.add(argsAt, CHECK_ONLY + stateVersion);
        check.set(0, path);
        return check;
    }

    private static String onPath(String program, String path) throws IOException {
        if (program.contains("/")) {
            return program;
        }
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IOException(program + " is not on PATH any more");
    }
}
