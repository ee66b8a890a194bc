package dev.baton.nativetest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.TreeSet;
import java.util.stream.Stream;

import dev.baton.child.Drainable;

/**
 * FaultyChild's {@code report-priority} participant in the drain: prints the nice values of its
 * own threads as it stops accepting ({@code faulty-child gen=N nice at stop-accepting: [0]}), and
 * once batond has lowered them all, or 10 s have passed ({@code faulty-child gen=N nice after
 * stop-accepting: [19]}).
 */
final class PriorityReport implements Drainable {
    private static final long WAIT_NANOS = 10_000_000_000L;
    private final String generation;

    PriorityReport(String generation) {
        this.generation = generation;
    }

    @Override
    public void stopAccepting() {
        System.out.println("faulty-child gen=" + generation + " nice at stop-accepting: " + ownNices());
        System.out.flush();
    }

    /** Runs after STOPPED_ACCEPTING went out: watches batond lower this process. */
    @Override
    public boolean awaitIdle(Instant deadline) throws InterruptedException {
        long start = System.nanoTime();
        TreeSet<Integer> nices = ownNices();
        while (!(nices.size() == 1 && nices.first() == 19) && System.nanoTime() - start < WAIT_NANOS) {
            Thread.sleep(5); // polling /proc: batond's walk has no signal to wait on
            nices = ownNices();
        }
        System.out.println("faulty-child gen=" + generation + " nice after stop-accepting: " + nices);
        System.out.flush();
        return true;
    }

    /** The distinct nice values of this process's threads (field 19 of each /proc/self/task/T/stat). */
    private static TreeSet<Integer> ownNices() {
        TreeSet<Integer> nices = new TreeSet<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    nices.add(Integer.parseInt(rest[19 - 3]));
                } catch (IOException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/self/task", e);
        }
        return nices;
    }
}
