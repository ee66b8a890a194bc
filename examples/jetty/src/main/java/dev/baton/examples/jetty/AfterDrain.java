package dev.baton.examples.jetty;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Work held until this process's drain begins: the answers to {@code /sleep?after=drain}.
 * {@link JettyDrain} calls {@link #begin()} once its connectors are shut down; a task handed
 * over after that runs at once. Each task runs at most once, whichever thread gets there first.
 */
final class AfterDrain {
    private final Set<Runnable> waiting = ConcurrentHashMap.newKeySet();
    private volatile boolean begun;

    /** Runs {@code task} when the drain begins, or now if it has. */
    void run(Runnable task) {
        waiting.add(task);
        // begin() sets the flag before it looks at the set: one of the two sees the task.
        if (begun && waiting.remove(task)) {
            task.run();
        }
    }

    void begin() {
        begun = true;
        for (Runnable task : waiting) {
            if (waiting.remove(task)) {
                task.run();
            }
        }
    }
}
