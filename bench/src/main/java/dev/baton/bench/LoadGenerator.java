package dev.baton.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed number of client threads sending {@code GET /} to 127.0.0.1, each at a fixed pace or
 * as fast as it is answered: some open a new connection per request, the others reuse one
 * keep-alive connection (and, as HTTP clients do, send a request again once if a reused
 * connection was closed before the answer).
 * Each request is logged with its start, duration, {@link Outcome} and the generation that answered.
 */
final class LoadGenerator implements AutoCloseable {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    private final RunClock clock;
    private final List<Worker> workers = new ArrayList<>();
    private volatile boolean running = true;

    private LoadGenerator(RunClock clock) {
        this.clock = clock;
    }

    /**
     * Starts {@code concurrency} threads (the last {@code keepAliveThreads} keep-alive, the others
     * new-connection), each sending {@code ratePerThread} requests a second at most, or, at 0, the
     * next request as soon as the last one ended.
     */
    static LoadGenerator start(RunClock clock, int port, int concurrency, int keepAliveThreads, int ratePerThread) {
        LoadGenerator load = new LoadGenerator(clock);
        long pace = ratePerThread == 0 ? 0 : 1_000_000_000L / ratePerThread;
        for (int i = 0; i < concurrency; i++) {
            boolean keepAlive = i >= concurrency - keepAliveThreads;
            load.workers.add(load.new Worker(port, keepAlive, pace, "load-" + i + (keepAlive ? "-keepalive" : "-new")));
        }
        load.workers.forEach(Thread::start);
        return load;
    }

    /** Stops every thread after its current request and returns all requests, in no particular order. */
    RequestLog stop() throws InterruptedException {
        running = false;
        long deadline = System.nanoTime() + CONNECT_TIMEOUT.plus(READ_TIMEOUT).multipliedBy(2).toNanos();
        for (Worker worker : workers) {
            worker.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            if (worker.isAlive()) {
                throw new IllegalStateException(worker.getName() + " did not stop");
            }
        }
        List<RequestLog> logs = new ArrayList<>();
        workers.forEach(w -> logs.add(w.log));
        return RequestLog.merge(logs);
    }

    @Override
    public void close() throws InterruptedException {
        if (running) {
            stop();
        }
    }

    private final class Worker extends Thread {
        final int port;
        final boolean keepAlive;
        final long paceNanos;
        final RequestLog log = new RequestLog();
        HttpClientConnection connection; // keep-alive only
        int answeredBy; // of the last request; a field, so a request allocates nothing to say it

        Worker(int port, boolean keepAlive, long paceNanos, String name) {
            super(name);
            this.port = port;
            this.keepAlive = keepAlive;
            this.paceNanos = paceNanos;
            setDaemon(true);
        }

        @Override
        public void run() {
            long next = System.nanoTime();
            try {
                while (running) {
                    long start = clock.now();
                    Outcome outcome = request();
                    log.add(start, clock.now() - start, outcome, answeredBy);
                    if (paceNanos > 0) {
                        // A fixed pace, not as fast as possible: the same offered load for every mode.
                        next = Math.max(next + paceNanos, System.nanoTime());
                        LockSupport.parkNanos(next - System.nanoTime());
                    }
                }
            } finally {
                drop();
            }
        }

        private Outcome request() {
            answeredBy = HttpClientConnection.Response.UNKNOWN_GENERATION;
            try {
                HttpClientConnection.Response response = keepAlive ? keepAliveExchange() : freshExchange();
                answeredBy = response.generation();
                return response.status() == 200 ? Outcome.OK : Outcome.NON_200;
            } catch (IOException e) {
                drop();
                return Outcome.of(e);
            }
        }

        private HttpClientConnection.Response freshExchange() throws IOException {
            try (HttpClientConnection fresh = HttpClientConnection.open(port, false, CONNECT_TIMEOUT, READ_TIMEOUT)) {
                return fresh.exchange();
            }
        }

        private HttpClientConnection.Response keepAliveExchange() throws IOException {
            if (connection == null) {
                connection = HttpClientConnection.open(port, true, CONNECT_TIMEOUT, READ_TIMEOUT);
            }
            HttpClientConnection.Response response;
            try {
                response = connection.exchange();
            } catch (ClosedEarlyException e) {
                if (!connection.reused()) {
                    throw e;
                }
                drop();
                log.retried();
                connection = HttpClientConnection.open(port, true, CONNECT_TIMEOUT, READ_TIMEOUT);
                response = connection.exchange();
            }
            if (response.closesConnection()) {
                drop();
            }
            return response;
        }

        private void drop() {
            if (connection != null) {
                connection.close();
                connection = null;
            }
        }
    }
}
