package dev.baton.bench;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A process the benchmark started, its stdout and stderr merged into one {@link OutputLines}.
 * Closing it sends SIGTERM (the drain every mode honours), then SIGKILL to it and its
 * descendants if it is still there after {@link #STOP_TIMEOUT}.
 */
final class Launched implements AutoCloseable {
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

    private final Process process;
    private final OutputLines output;

    private Launched(Process process, OutputLines output) {
        this.process = process;
        this.output = output;
    }

    static Launched start(RunClock clock, List<String> command, Map<String, String> env, File dir, String name,
            PrintWriter log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir).redirectErrorStream(true);
        builder.environment().putAll(env);
        synchronized (log) {
            log.println("# " + name + ": " + String.join(" ", command));
            log.flush();
        }
        Process process = builder.start();
        process.getOutputStream().close();
        return new Launched(process, OutputLines.follow(clock, process.getInputStream(), name, log));
    }

    long pid() {
        return process.pid();
    }

    OutputLines output() {
        return output;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Sends SIGTERM now. */
    void terminate() {
        process.destroy();
    }

    /** Waits for the exit, at most {@code timeout}; the exit code, or -1 if it is still running. */
    int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    @Override
    public void close() throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        terminate();
        if (awaitExit(STOP_TIMEOUT) == -1) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
