package dev.baton.bench;

import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What every mode shares: the project root, the port, the service command (the same hello.jar
 * with the same JVM flags in every mode), the run's clock, the log file and the wait limit; and
 * what this run adds: the service's environment (the supervisor passes it on to every
 * generation) and batond's options.
 */
record ServiceSetup(Path root, int port, RunClock clock, PrintWriter log, Duration timeout,
        Map<String, String> serviceEnv, List<String> batondOptions) {
    List<String> serviceCommand() {
        return List.of("java", "-jar", root.resolve("examples/hello/target/hello.jar").toString());
    }

    /** The environment for the process started first (supervisor or service): the service's plus {@code more}. */
    Map<String, String> env(Map<String, String> more) {
        Map<String, String> env = new HashMap<>(serviceEnv);
        env.putAll(more);
        return env;
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    File dir() {
        return root.toFile();
    }
}
