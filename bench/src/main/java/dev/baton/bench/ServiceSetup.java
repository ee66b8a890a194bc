package dev.baton.bench;

import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What every mode shares: the project root, the port, the service command (the same hello.jar
 * with the same JVM flags in every mode), the run's clock, the log file and the wait limit.
 */
record ServiceSetup(Path root, int port, RunClock clock, PrintWriter log, Duration timeout) {
    List<String> serviceCommand() {
        return List.of("java", "-jar", root.resolve("examples/hello/target/hello.jar").toString());
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    File dir() {
        return root.toFile();
    }
}
