package dev.baton.nativetest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * A few threads sending {@code GET path} to 127.0.0.1 as fast as they can, each through its own
 * {@link HttpProbe}, until stopped. Counts what a client would see: 200s, other statuses, I/O
 * failures (keeping the first reasons), retries, and the {@code generation=N} and {@code pid=P} values seen.
 */
final class LoadClient implements AutoCloseable {
    private static final int KEPT_REASONS = 20;

    private final String path;
    /** How long stopping or pausing may wait for the requests in flight: one connect and one read, and some slack. */
    private final Duration stopTimeout;
    private final long startNanos = System.nanoTime();
    private final List<Worker> workers = new ArrayList<>();
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong badStatus = new AtomicLong();
    private final AtomicLong ioErrors = new AtomicLong();
    private final Set<Integer> generations = ConcurrentHashMap.newKeySet();
    private final Set<Long> pids = ConcurrentHashMap.newKeySet();
    private final List<String> reasons = new ArrayList<>();
    private final Object okReached = new Object();
    private volatile long okWanted = Long.MAX_VALUE;
    private volatile boolean running = true;
    private final Object pauseLock = new Object();
    private boolean paused; // guarded by pauseLock
    private int parked; // workers waiting in a pause; guarded by pauseLock

    private LoadClient(String path, Duration readTimeout) {
        this.path = path;
        this.stopTimeout = HttpConnection.CONNECT_TIMEOUT.plus(readTimeout).plusSeconds(5);
    }

    /** Starts {@code newConnection} NEW_CONNECTION and {@code keepAlive} KEEP_ALIVE threads. */
    static LoadClient start(int port, int newConnection, int keepAlive) {
        List<ClientKind> kinds = new ArrayList<>();
        for (int i = 0; i < newConnection; i++) {
            kinds.add(ClientKind.NEW_CONNECTION);
        }
        for (int i = 0; i < keepAlive; i++) {
            kinds.add(ClientKind.KEEP_ALIVE);
        }
        return start(port, "/", kinds);
    }

    static LoadClient start(int port, String path, List<ClientKind> kinds) {
        return start(port, path, kinds, HttpConnection.READ_TIMEOUT);
    }

    /**
     * Like {@link #start(int, String, List)}, each read waiting at most {@code readTimeout}: longer than
     * the default when requests may have to wait in the accept queue for a new child to start.
     */
    static LoadClient start(int port, String path, List<ClientKind> kinds, Duration readTimeout) {
        LoadClient load = new LoadClient(path, readTimeout);
        for (int i = 0; i < kinds.size(); i++) {
            Worker worker = load.new Worker(new HttpProbe(port, kinds.get(i), readTimeout),
                    "load-" + i + "-" + kinds.get(i));
            load.workers.add(worker);
        }
        load.workers.forEach(Thread::start);
        return load;
    }

    /** Blocks until a response from generation {@code generation} was seen, at most {@code timeout}. */
    boolean awaitGeneration(int generation, Duration timeout) throws InterruptedException {
        synchronized (generations) {
            return waitUntil(generations, () -> generations.contains(generation), timeout);
        }
    }

    /**
     * Blocks until a response from process {@code pid} was seen, at most {@code timeout}: for supervisors
     * without generations (start_server, systemd), where only the pid tells the workers apart.
     */
    boolean awaitPid(long pid, Duration timeout) throws InterruptedException {
        synchronized (pids) {
            return waitUntil(pids, () -> pids.contains(pid), timeout);
        }
    }

    /** The pids of every process that answered so far. */
    Set<Long> pids() {
        return new TreeSet<>(pids);
    }

    /** Blocks until at least {@code count} requests were answered with 200, at most {@code timeout}. */
    boolean awaitSuccesses(long count, Duration timeout) throws InterruptedException {
        synchronized (okReached) {
            okWanted = count;
            return waitUntil(okReached, () -> ok.get() >= count, timeout);
        }
    }

    /** Blocks until at least {@code count} requests failed, at most {@code timeout}. */
    boolean awaitFailures(long count, Duration timeout) throws InterruptedException {
        synchronized (reasons) {
            return waitUntil(reasons, () -> badStatus.get() + ioErrors.get() >= count, timeout);
        }
    }

    /**
     * Waits on {@code lock} (which the caller holds, and which is notified when the condition may
     * have changed) until {@code done} holds; false if {@code timeout} passed first.
     */
    private static boolean waitUntil(Object lock, BooleanSupplier done, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return false;
            }
            lock.wait(Math.max(1, Duration.ofNanos(remaining).toMillis()));
        }
        return true;
    }

    /**
     * Lets every thread finish the request it is in (each bounded by the read timeout), then holds
     * them before their next one until {@link #resume()}: when this returns, no request of these
     * clients is in flight. For events that must not cut a request in two, such as a SIGKILL.
     */
    void pause() throws InterruptedException {
        synchronized (pauseLock) {
            paused = true;
            if (!waitUntil(pauseLock, () -> parked >= workers.size(), stopTimeout)) {
                throw new AssertionError("load threads still busy " + stopTimeout + " after pause(): " + report());
            }
        }
    }

    /** Lets the threads held by {@link #pause()} send requests again. */
    void resume() {
        synchronized (pauseLock) {
            paused = false;
            pauseLock.notifyAll();
        }
    }

    /** Stops every thread after its current request (each is bounded by the read timeout). */
    void stop() throws InterruptedException {
        running = false;
        resume();
        long deadline = System.nanoTime() + stopTimeout.toNanos();
        for (Worker worker : workers) {
            worker.join(Math.max(1, Duration.ofNanos(deadline - System.nanoTime()).toMillis()));
        }
        for (Worker worker : workers) {
            if (worker.isAlive()) {
                worker.probe.close(); // unblocks a read that somehow outlived its timeout
                worker.join(1000);
            }
        }
    }

    /** What the clients have seen so far. */
    LoadReport report() {
        synchronized (reasons) {
            return new LoadReport(ok.get(), badStatus.get(), ioErrors.get(),
                    workers.stream().mapToLong(w -> w.probe.retries()).sum(),
                    new TreeSet<>(generations), List.copyOf(reasons));
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private void responded(HttpResponse response) {
        if (response.status() == 200) {
            if (ok.incrementAndGet() == okWanted) {
                synchronized (okReached) {
                    okReached.notifyAll();
                }
            }
        } else {
            badStatus.incrementAndGet();
            failed("status " + response.status() + ": " + response);
        }
        response.pid().ifPresent(pid -> {
            if (pids.add(pid)) {
                synchronized (pids) {
                    pids.notifyAll();
                }
            }
        });
        response.generation().ifPresent(generation -> {
            if (generations.add(generation)) {
                synchronized (generations) {
                    generations.notifyAll();
                }
            }
        });
    }

    private void failed(String reason) {
        synchronized (reasons) {
            reasons.notifyAll();
            if (reasons.size() < KEPT_REASONS) {
                long millis = Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
                reasons.add("+" + millis + "ms " + Thread.currentThread().getName() + ": " + reason);
            }
        }
    }

    private final class Worker extends Thread {
        final HttpProbe probe;

        Worker(HttpProbe probe, String name) {
            super(name);
            this.probe = probe;
            setDaemon(true);
        }

        @Override
        public void run() {
            try (probe) {
                while (running) {
                    if (!awaitNoPause()) {
                        return;
                    }
                    try {
                        responded(probe.get(path));
                    } catch (Exception e) {
                        if (!running) {
                            return; // stopped under us: not the server's doing
                        }
                        ioErrors.incrementAndGet();
                        failed(e.toString());
                    }
                }
            }
        }

        /** Waits out a {@link #pause()} between two requests; false when the client stopped meanwhile. */
        private boolean awaitNoPause() {
            synchronized (pauseLock) {
                if (!paused) {
                    return running;
                }
                parked++;
                pauseLock.notifyAll();
                try {
                    while (paused && running) {
                        pauseLock.wait();
                    }
                } catch (InterruptedException e) {
                    return false;
                } finally {
                    parked--;
                }
                return running;
            }
        }
    }
}
