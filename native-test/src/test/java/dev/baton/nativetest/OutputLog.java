package dev.baton.nativetest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lines a process writes, collected by one reader thread, copied to a log file, and waited on.
 *
 * <p>Waiting is on the arrival of lines (wait/notify), never on sleeps. Once the stream has ended
 * no new line can arrive, so a wait for a line that is not there fails at once.
 */
final class OutputLog {
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;
    private boolean ended;

    private OutputLog(InputStream stream, Path file, String name) {
        Writer writer;
        try {
            Files.createDirectories(file.getParent());
            writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file, e);
        }
        reader = new Thread(() -> read(stream, writer), "output-" + name);
        reader.setDaemon(true);
    }

    /** Starts reading {@code stream} until its end, copying every line to {@code file}. */
    static OutputLog follow(InputStream stream, Path file, String name) {
        OutputLog log = new OutputLog(stream, file, name);
        log.reader.start();
        return log;
    }

    private void read(InputStream stream, Writer writer) {
        try (writer; BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                writer.write(LocalTime.now() + " | " + line + "\n");
                writer.flush();
                synchronized (this) {
                    lines.add(line);
                    notifyAll();
                }
            }
        } catch (IOException e) {
            // The stream broke: treat as its end.
        } finally {
            synchronized (this) {
                ended = true;
                notifyAll();
            }
        }
    }

    /**
     * Blocks until a line matching {@code pattern} (by {@code find()}) is present and returns its
     * matcher; fails if none appears within {@code timeout} or the stream ends without one.
     */
    Matcher awaitLine(Pattern pattern, Duration timeout) throws InterruptedException {
        Optional<Matcher> found = awaitLineWithin(pattern, timeout);
        if (found.isEmpty()) {
            synchronized (this) {
                throw new AssertionError((ended ? "output ended" : "waited " + timeout) + " without a line matching /"
                        + pattern + "/; last lines:\n" + tail(40));
            }
        }
        return found.get();
    }

    /** Like {@link #awaitLine} but returns empty instead of failing when no line matched in time. */
    synchronized Optional<Matcher> awaitLineWithin(Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int scanned = 0;
        while (true) {
            for (; scanned < lines.size(); scanned++) {
                Matcher matcher = pattern.matcher(lines.get(scanned));
                if (matcher.find()) {
                    return Optional.of(matcher);
                }
            }
            long remaining = deadline - System.nanoTime();
            if (ended || remaining <= 0) {
                return Optional.empty();
            }
            Duration left = Duration.ofNanos(remaining);
            wait(Math.max(1, left.toMillis()));
        }
    }

    /**
     * Blocks until {@code count} lines match {@code pattern} and returns them all; fails if fewer
     * arrived within {@code timeout} or before the stream ended.
     */
    synchronized List<Matcher> awaitCount(Pattern pattern, int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Matcher> found = matches(pattern);
            if (found.size() >= count) {
                return found;
            }
            long remaining = deadline - System.nanoTime();
            if (ended || remaining <= 0) {
                throw new AssertionError((ended ? "output ended" : "waited " + timeout) + " with " + found.size()
                        + " of " + count + " lines matching /" + pattern + "/; last lines:\n" + tail(40));
            }
            wait(Math.max(1, Duration.ofNanos(remaining).toMillis()));
        }
    }

    /** Blocks until the stream has ended (every writer closed it), at most {@code timeout}. */
    synchronized boolean awaitEnd(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ended) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return false;
            }
            wait(Math.max(1, Duration.ofNanos(remaining).toMillis()));
        }
        return true;
    }

    /** Matchers (already {@code find()}-positioned) for every line so far that matches. */
    synchronized List<Matcher> matches(Pattern pattern) {
        List<Matcher> result = new ArrayList<>();
        for (String line : lines) {
            Matcher matcher = pattern.matcher(line);
            if (matcher.find()) {
                result.add(matcher);
            }
        }
        return result;
    }

    /** The index of the first line so far matching {@code pattern}, or -1: to check the order of two events. */
    synchronized int firstIndex(Pattern pattern) {
        for (int i = 0; i < lines.size(); i++) {
            if (pattern.matcher(lines.get(i)).find()) {
                return i;
            }
        }
        return -1;
    }

    synchronized int countLines(Pattern pattern) {
        return matches(pattern).size();
    }

    /** A copy of every line so far. */
    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    synchronized String tail(int count) {
        return String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size()));
    }
}
