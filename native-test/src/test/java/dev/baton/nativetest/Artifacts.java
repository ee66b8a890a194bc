package dev.baton.nativetest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Where the built artifacts live: the repository root, batond.jar, batonctl.jar, hello.jar, jetty.jar, the java launcher. */
final class Artifacts {
    private Artifacts() {}

    /** The repository root, from the {@code baton.root} system property that surefire sets. */
    static Path root() {
        String root = System.getProperty("baton.root");
        Path path = root != null ? Path.of(root) : Path.of("..");
        return path.toAbsolutePath().normalize();
    }

    static Path batondScript() {
        return root().resolve("bin/batond");
    }

    static Path batondJar() {
        return existing(root().resolve("supervisor/target/batond.jar"));
    }

    /** batonctl's own jar, which {@code bin/batonctl} runs. */
    static Path batonctlJar() {
        return existing(root().resolve("batonctl/target/batonctl.jar"));
    }

    static Path helloJar() {
        return existing(root().resolve("examples/hello/target/hello.jar"));
    }

    static Path jettyJar() {
        return existing(root().resolve("examples/jetty/target/jetty.jar"));
    }

    /** The java launcher of the JVM running the tests, so children use the same JDK. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The demo service as a child command: {@code java -jar examples/hello/target/hello.jar}. */
    static List<String> helloCommand() {
        return List.of(java(), "-jar", helloJar().toString());
    }

    /** The same service on Jetty 12: {@code java -jar examples/jetty/target/jetty.jar}. */
    static List<String> jettyCommand() {
        return List.of(java(), "-jar", jettyJar().toString());
    }

    /** Per-test output, kept for debugging a failure: native-test/target/native-logs/NAME.log. */
    static Path logFile(String name) {
        return root().resolve("native-test/target/native-logs").resolve(name + ".log");
    }

    static Path targetDir() {
        return root().resolve("native-test/target");
    }

    private static Path existing(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file + " does not exist: build it first (mvn -B package)");
        }
        return file;
    }
}
