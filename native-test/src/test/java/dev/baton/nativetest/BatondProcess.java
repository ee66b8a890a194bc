package dev.baton.nativetest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A real batond process for one test: its merged output, its pid and port, signals, and a
 * teardown that sends TERM, then KILL, and kills whatever descendants are left.
 *
 * <p>{@link #close()} only cleans up; tests that care about leftover processes assert on
 * {@link #livingChildren()} themselves, before closing.
 */
final class BatondProcess implements AutoCloseable {
    static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Pattern BOUND = Pattern.compile("listener \\S+ bound to 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern SPAWNED = Pattern.compile("gen=(\\d+) pid=(\\d+) spawned");

    private final String name;
    private final Process process;
    private final OutputLog output;
    /** batond runs in a pid namespace of its own: the pids in its log are not the test's pids. */
    private final boolean ownPidNamespace;
    private int port;

    private BatondProcess(String name, Process process, OutputLog output, boolean ownPidNamespace) {
        this.name = name;
        this.process = process;
        this.output = output;
        this.ownPidNamespace = ownPidNamespace;
    }

    /** batond serving the hello demo on 127.0.0.1:0, with the usual timeouts. */
    static BatondProcess startWithHello(String name) {
        return start(name, List.of(), helloArgs());
    }

    /** batond serving {@code childCommand} (say {@link Artifacts#jettyCommand()}) on 127.0.0.1:0, with the usual timeouts. */
    static BatondProcess startWith(String name, List<String> childCommand) {
        return start(name, List.of(), args(childCommand));
    }

    /** The batond arguments for the hello demo on 127.0.0.1:0. */
    /** batond's arguments for hello, with {@code options} (batond's) before the child command. */
    static List<String> helloArgs(String... options) {
        List<String> args = args(Artifacts.helloCommand());
        args.addAll(args.indexOf("--"), List.of(options));
        return args;
    }

    private static List<String> args(List<String> childCommand) {
        List<String> args = new ArrayList<>(List.of(
                "--listen", "127.0.0.1:0", "--ready-timeout", "60s", "--drain-timeout", "30s", "--"));
        args.addAll(childCommand);
        return args;
    }

    /** batond with {@code jvmOptions} for its own JVM and {@code args} on its command line. */
    static BatondProcess start(String name, List<String> jvmOptions, List<String> args) {
        return start(name, BatondLauncher.batond(jvmOptions, args));
    }

    /** Any batond command line (see {@link BatondLauncher}); output goes to target/native-logs/NAME.log. */
    static BatondProcess start(String name, ProcessBuilder builder) {
        return start(name, builder, false);
    }

    /**
     * A command that runs batond in a new pid namespace (say {@code unshare --pid --fork ... bin/batond}):
     * {@link #pid()} is then the launcher's pid, and the pids batond logs are the namespace's own, so
     * {@link #spawnedChildren()} and {@link #livingChildren()} mean nothing to this JVM and
     * {@link #close()} cleans up through {@link #descendants()} only.
     */
    static BatondProcess startInOwnPidNamespace(String name, ProcessBuilder builder) {
        return start(name, builder, true);
    }

    /**
     * A command whose output {@code builder} sends elsewhere (say a pipe with a reader of the test's
     * own), followed through {@code output} instead of batond's stdout.
     */
    static BatondProcess start(String name, ProcessBuilder builder, OutputLog output) {
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            return new BatondProcess(name, process, output, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + builder.command(), e);
        }
    }

    private static BatondProcess start(String name, ProcessBuilder builder, boolean ownPidNamespace) {
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            OutputLog output = OutputLog.follow(process.getInputStream(), Artifacts.logFile(name), name);
            return new BatondProcess(name, process, output, ownPidNamespace);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + builder.command(), e);
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    OutputLog output() {
        return output;
    }

    /** The port of the (first) listener, from its {@code listener NAME bound to 127.0.0.1:PORT} line. */
    synchronized int port() throws InterruptedException {
        if (port == 0) {
            port = Integer.parseInt(awaitLine(BOUND, STARTUP).group(1));
        }
        return port;
    }

    Matcher awaitLine(Pattern pattern, Duration timeout) throws InterruptedException {
        return output.awaitLine(pattern, timeout);
    }

    Matcher awaitLine(String regex, Duration timeout) throws InterruptedException {
        return awaitLine(Pattern.compile(regex), timeout);
    }

    Optional<Matcher> awaitLineWithin(Pattern pattern, Duration timeout) throws InterruptedException {
        return output.awaitLineWithin(pattern, timeout);
    }

    int countLines(Pattern pattern) {
        return output.countLines(pattern);
    }

    int countLines(String regex) {
        return countLines(Pattern.compile(regex));
    }

    /** Sends {@code kill -NAME pid} to batond, as an operator would. */
    void signal(String signal) throws InterruptedException {
        checkSignalsReachTheJvm();
        kill(signal, pid());
    }

    static void kill(String signal, long pid) throws InterruptedException {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
                throw new AssertionError("kill -" + signal + " " + pid + " did not finish");
            }
            if (kill.exitValue() != 0) {
                throw new AssertionError("kill -" + signal + " " + pid + " failed: "
                        + new String(kill.getInputStream().readAllBytes()).strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run kill", e);
        }
    }

    /** Waits for batond to exit and returns its exit code; fails if it is still running after {@code timeout}. */
    int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + ": batond still running after " + timeout + "; last lines:\n"
                    + output.tail(40));
        }
        return process.exitValue();
    }

    /** generation -> pid, from the {@code gen=N pid=P spawned} lines so far. */
    Map<Integer, Long> spawnedChildren() {
        Map<Integer, Long> children = new LinkedHashMap<>();
        for (Matcher m : output.matches(SPAWNED)) {
            children.put(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)));
        }
        return children;
    }

    /** Children from {@code spawned} lines that are still alive (empty once batond cleaned up after itself). */
    List<Long> livingChildren() {
        if (ownPidNamespace) {
            throw new IllegalStateException("the pids in the log of " + this + " belong to another pid namespace");
        }
        return spawnedChildren().values().stream()
                .filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .collect(Collectors.toList());
    }

    /** The process handles below batond right now (children, grandchildren...). */
    List<ProcessHandle> descendants() {
        return process.descendants().collect(Collectors.toList());
    }

    /**
     * HotSpot only forwards signals to Java handlers in the JVM itself: if bin/batond ran java as a
     * child instead of exec'ing it, {@code kill pid} would reach the shell, not batond.
     */
    private void checkSignalsReachTheJvm() {
        Optional<String> command = process.info().command();
        if (command.isPresent() && !command.get().endsWith("/java")) {
            throw new AssertionError("batond's pid " + pid() + " runs " + command.get()
                    + ", not java: bin/batond must exec the JVM so that signals reach it");
        }
    }

    /** TERM, wait, KILL; then KILL every descendant or spawned child still alive. Never throws. */
    @Override
    public void close() {
        boolean interrupted = Thread.interrupted(); // a @Timeout interrupt must not skip the cleanup
        List<ProcessHandle> leftovers = new ArrayList<>(descendants());
        if (!ownPidNamespace) { // otherwise those numbers name unrelated processes here
            spawnedChildren().values().forEach(pid -> ProcessHandle.of(pid).ifPresent(leftovers::add));
        }
        try {
            if (process.isAlive()) {
                try {
                    kill("TERM", pid());
                } catch (RuntimeException | AssertionError e) {
                    // Already gone, or kill failed: KILL below.
                }
                if (!process.waitFor(35, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
            for (ProcessHandle leftover : leftovers) {
                if (leftover.isAlive()) {
                    leftover.destroyForcibly();
                }
            }
            output.awaitEnd(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            interrupted = true;
            process.destroyForcibly();
            leftovers.forEach(ProcessHandle::destroyForcibly);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "batond[" + name + ", pid " + pid() + "]";
    }
}
