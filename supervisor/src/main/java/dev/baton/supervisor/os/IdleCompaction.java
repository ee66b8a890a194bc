package dev.baton.supervisor.os;

import dev.baton.supervisor.lifecycle.GenerationSnapshot;
import dev.baton.supervisor.lifecycle.Monitor;
import dev.baton.supervisor.lifecycle.ReloadSnapshot;

/**
 * Gives memory back once batond goes idle: after generation 1 first serves and after each reload
 * ends, a full collection lets the small heap shrink to what is live (bin/batond runs with
 * -XX:MaxHeapFreeRatio and -XX:-ShrinkHeapInSteps), and the JVM's native-heap trim returns the
 * rest. A few milliseconds on the loop at moments when it has nothing else to do; everything
 * else is passed on to {@code next}.
 */
public final class IdleCompaction implements Monitor {
    private final Monitor next;
    private boolean firstServed;

    public IdleCompaction(Monitor next) {
        this.next = next;
    }

    private static void compact() {
        System.gc();
    }

    @Override
    public void reloadEnded(ReloadSnapshot reload) {
        next.reloadEnded(reload);
        compact();
    }

    @Override
    public void serving(GenerationSnapshot generation) {
        next.serving(generation);
        if (!firstServed) {
            firstServed = true;
            compact();
        }
    }

    @Override
    public void stats(GenerationSnapshot generation) {
        next.stats(generation);
    }

    @Override
    public void exited(GenerationSnapshot generation) {
        next.exited(generation);
    }

    @Override
    public void childRestarted() {
        next.childRestarted();
    }
}
