package dev.baton.nativetest;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one place that decides how batond is started.
 *
 * <p>Normally through {@code bin/batond}, which sets {@code _JAVA_SR_SIGNUM} and the JVM flags and
 * appends {@code BATOND_JAVA_OPTS}. While that script does not exist, the equivalent
 * {@code java -jar supervisor/target/batond.jar} with {@code _JAVA_SR_SIGNUM=34}.
 */
final class BatondLauncher {
    /** A free real-time signal above 11 for HotSpot's suspend/resume, so SIGUSR2 is batond's. */
    static final String SR_SIGNUM = "34";

    private BatondLauncher() {}

    /** batond with {@code batondArgs}; {@code jvmOptions} go to batond's own JVM. */
    static ProcessBuilder batond(List<String> jvmOptions, List<String> batondArgs) {
        ProcessBuilder builder = new ProcessBuilder();
        Map<String, String> env = cleanEnvironment(builder);
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Artifacts.batondScript())) {
            command.add(Artifacts.batondScript().toString());
            env.put("JAVA_HOME", System.getProperty("java.home"));
            if (!jvmOptions.isEmpty()) {
                env.put("BATOND_JAVA_OPTS", String.join(" ", jvmOptions));
            }
        } else {
            command.add(Artifacts.java());
            command.addAll(jvmOptions);
            command.add("-jar");
            command.add(Artifacts.batondJar().toString());
            env.put("_JAVA_SR_SIGNUM", SR_SIGNUM);
        }
        command.addAll(batondArgs);
        return builder.command(command);
    }

    /** {@code java -jar batond.jar ARGS} with no {@code _JAVA_SR_SIGNUM}: what the script protects against. */
    static ProcessBuilder bareJarWithoutSrSignum(List<String> batondArgs) {
        ProcessBuilder builder = new ProcessBuilder();
        cleanEnvironment(builder);
        List<String> command = new ArrayList<>(List.of(Artifacts.java(), "-jar", Artifacts.batondJar().toString()));
        command.addAll(batondArgs);
        return builder.command(command);
    }

    /** The test JVM's environment minus anything that would change how batond (or another supervisor) or its children start. */
    static Map<String, String> cleanEnvironment(ProcessBuilder builder) {
        builder.directory(Artifacts.root().toFile());
        builder.redirectErrorStream(true); // batond's stdout and stderr, and its children's, in one stream
        Map<String, String> env = builder.environment();
        env.remove("_JAVA_SR_SIGNUM");
        env.remove("BATOND_JAVA_OPTS");
        env.remove("BATOND_JAR");
        env.remove("JAVA_TOOL_OPTIONS");
        env.remove("JDK_JAVA_OPTIONS");
        env.keySet().removeIf(name -> name.startsWith("BATON_") || name.equals("LISTEN_FDS")
                || name.equals("LISTEN_PID") || name.equals("LISTEN_FDNAMES") || name.equals("NOTIFY_SOCKET")
                || name.startsWith("WATCHDOG_"));
        // Each batond its own runtime directory, as systemd's RuntimeDirectory= gives each unit:
        // its control socket (and handoff directory) then never meets another test's.
        try {
            env.put("RUNTIME_DIRECTORY", Files.createTempDirectory("baton-test-").toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return env;
    }
}
