package dev.baton.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lines of a process's output, each stamped on the run's clock as it arrives (a pipe, so
 * within a millisecond of the write), copied to a log file, and waited on by pattern: the
 * benchmark synchronises on what the processes say, never on sleeps.
 */
final class OutputLines {
    /** A line and when it arrived. */
    record Line(long nanos, String text) {}

    /** A line that matched, where it is in the output, and the match. */
    record Found(int index, Line line, Matcher matcher) {
        String group(int group) {
            return matcher.group(group);
        }
    }

    private final RunClock clock;
    private final List<Line> lines = new ArrayList<>(); // guarded by this
    private final PrintWriter copy;
    private boolean ended; // guarded by this

    private OutputLines(RunClock clock, PrintWriter copy) {
        this.clock = clock;
        this.copy = copy;
    }

    /** Starts a daemon thread reading {@code stream} until EOF; {@code copy} receives every line. */
    static OutputLines follow(RunClock clock, InputStream stream, String name, PrintWriter copy) {
        OutputLines output = new OutputLines(clock, copy);
        Thread reader = new Thread(() -> output.read(stream), "output-" + name);
        reader.setDaemon(true);
        reader.start();
        return output;
    }

    private void read(InputStream stream) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            for (String text; (text = reader.readLine()) != null; ) {
                long nanos = clock.now();
                synchronized (copy) {
                    copy.println(text);
                    copy.flush();
                }
                synchronized (this) {
                    lines.add(new Line(nanos, text));
                    notifyAll();
                }
            }
        } catch (IOException e) {
            // The process is gone; what it said is kept.
        } finally {
            synchronized (this) {
                ended = true;
                notifyAll();
            }
        }
    }

    /** How many lines arrived so far: the index to search from for what happens next. */
    synchronized int mark() {
        return lines.size();
    }

    /**
     * The first line at or after {@code from} that {@code pattern} finds, waiting at most
     * {@code timeout} for it; throws with the last lines when it does not come.
     */
    synchronized Found await(Pattern pattern, int from, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int next = from;
        while (true) {
            for (; next < lines.size(); next++) {
                Matcher matcher = pattern.matcher(lines.get(next).text());
                if (matcher.find()) {
                    return new Found(next, lines.get(next), matcher);
                }
            }
            long remaining = deadline - System.nanoTime();
            if (ended || remaining <= 0) {
                throw new IllegalStateException("no line saying " + what + " (/" + pattern + "/) "
                        + (ended ? "before the output ended" : "within " + timeout) + "; last lines:\n  "
                        + String.join("\n  ", tail(10)));
            }
            wait(Math.max(1, remaining / 1_000_000));
        }
    }

    /** The last line so far, or "(no output)". */
    synchronized String lastLine() {
        return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1).text();
    }

    /** Every line so far from {@code from} to {@code to}, both included. */
    synchronized List<Line> between(int from, int to) {
        return List.copyOf(lines.subList(Math.max(0, from), Math.min(lines.size(), to + 1)));
    }

    private List<String> tail(int count) {
        return lines.subList(Math.max(0, lines.size() - count), lines.size()).stream().map(Line::text).toList();
    }
}
