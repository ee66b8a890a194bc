package dev.baton.nativetest;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The file a {@link FaultyChild} reads at start to choose how to (mis)behave, and batond started
 * with {@link FaultyChild} as its child command and {@code FAULT_FILE} naming this file.
 *
 * <p>Each generation reads the file once, when it starts: set the next mode before the signal
 * that starts the next generation.
 */
final class FaultFile {
    private static String childClassPath; // guarded by FaultFile.class

    private final Path path;

    private FaultFile(Path path) {
        this.path = path;
    }

    /** native-test/target/faults/NAME.mode, holding {@code initialMode}. */
    static FaultFile create(String name, String initialMode) {
        FaultFile file = new FaultFile(Artifacts.targetDir().resolve("faults").resolve(name + ".mode"));
        file.set(initialMode);
        return file;
    }

    Path path() {
        return path;
    }

    /** What a {@code ready-on-file} child waits for before it says READY. */
    Path goFile() {
        return path.resolveSibling(path.getFileName() + ".go");
    }

    /** Replaces the mode in one atomic rename, so a child starting meanwhile never reads half a file. */
    void set(String mode) {
        try {
            Files.createDirectories(path.getParent());
            Path next = path.resolveSibling(path.getFileName() + ".next");
            Files.writeString(next, mode + "\n", StandardCharsets.UTF_8);
            Files.move(next, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }

    /** batond with {@code options}, running {@link #childCommand()} with {@code FAULT_FILE} set to this file. */
    ProcessBuilder batond(List<String> options) {
        List<String> args = new ArrayList<>(options);
        args.add("--");
        args.addAll(childCommand());
        ProcessBuilder builder = BatondLauncher.batond(List.of(), args);
        builder.environment().put("FAULT_FILE", path.toString()); // batond's children inherit it
        return builder;
    }

    /** {@code java ... dev.baton.nativetest.FaultyChild} on (a private copy of) the tests' own class path. */
    static List<String> childCommand() {
        return testJvm(FaultyChild.class);
    }

    /** {@code java ... MAIN} on (a private copy of) the tests' own class path, with the flags child-api's JDK channels need. */
    static List<String> testJvm(Class<?> main) {
        String classPath = childClassPath();
        return List.of(Artifacts.java(),
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.base/java.io=ALL-UNNAMED",
                // A small, quickly started JVM: it must be READY well within the tests' --ready-timeout 3s.
                "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xshare:auto",
                // child-api logs through logback, which finds two logback.xml on this class path: no status report.
                "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener",
                "-cp", classPath, main.getName());
    }

    /**
     * The tests' class path with every SNAPSHOT jar (child-api and the other modules, which live in
     * the shared local Maven repository) replaced by a copy taken once per test JVM. A child JVM loads
     * classes lazily: if someone runs {@code mvn install} meanwhile and the jar is rewritten under it,
     * it fails with NoClassDefFoundError. The copies stay what this test JVM itself was started with.
     */
    static synchronized String childClassPath() {
        if (childClassPath == null) {
            Path copies = Artifacts.targetDir().resolve("faulty-child-classpath").resolve(Long.toString(ProcessHandle.current().pid()));
            List<String> entries = new ArrayList<>();
            try {
                Files.createDirectories(copies);
                int index = 0;
                for (String entry : testClassPath().split(File.pathSeparator)) {
                    Path path = Path.of(entry);
                    if (entry.contains("-SNAPSHOT") && Files.isRegularFile(path)) {
                        Path copy = copies.resolve(index++ + "-" + path.getFileName());
                        Files.copy(path, copy, StandardCopyOption.REPLACE_EXISTING);
                        entries.add(copy.toString());
                    } else {
                        entries.add(entry);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot copy the class path to " + copies, e);
            }
            childClassPath = String.join(File.pathSeparator, entries);
        }
        return childClassPath;
    }

    /**
     * The class path of the tests (child-api and jnr included). Surefire's own JVM may see only its
     * booter jar in {@code java.class.path}; {@code surefire.test.class.path} has the real one.
     */
    static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        String classPath = surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
        for (String needed : List.of("child-api", "jnr-posix", "jnr-unixsocket")) {
            if (!classPath.contains(needed)) {
                throw new IllegalStateException("the test class path lacks " + needed + ": " + classPath);
            }
        }
        return classPath;
    }
}
