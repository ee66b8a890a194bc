package dev.baton.supervisor;

import dev.baton.supervisor.lifecycle.Event;
import dev.baton.supervisor.lifecycle.Supervisor;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that changes batond's state. Everything else only {@link #post}s events:
 * signal handlers, handoff readers, process-exit callbacks, timers.
 */
public final class EventLoop {
    private static final Logger LOG = LoggerFactory.getLogger("batond");

    /** Events for the supervisor, and tasks (a control command) to run on this thread. */
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private volatile boolean running = true;
    private volatile int exitCode;
    /** Runs on the loop thread after each event or task (batond offers its state file the latest state). */
    private java.util.function.Consumer<Object> afterEach = item -> { };

    void afterEach(java.util.function.Consumer<Object> hook) {
        afterEach = hook;
    }

    void post(Event event) {
        queue.add(event);
    }

    /** Runs {@code task} on the loop thread, in turn with the events. */
    void post(Runnable task) {
        queue.add(task);
    }

    /** Runs on the calling thread until {@link #stop}; returns the exit code. */
    int run(Supervisor supervisor) throws InterruptedException {
        while (running) {
            Object next = queue.take();
            try {
                if (next instanceof Event event) {
                    supervisor.handle(event);
                } else {
                    ((Runnable) next).run();
                }
                if (running) {
                    afterEach.accept(next);
                }
            } catch (RuntimeException e) {
                // A bug, not a user error: say so loudly, keep the listeners and carry on.
                LOG.error("internal error handling {}", next, e);
            }
        }
        return exitCode;
    }

    /** Called on the loop thread by the supervisor's exit. */
    void stop(int code) {
        exitCode = code;
        running = false;
    }
}
