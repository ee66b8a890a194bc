package dev.baton.child;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import dev.baton.protocol.Addresses;
import dev.baton.protocol.Env;
import dev.baton.protocol.Frame;
import dev.baton.protocol.Keys;
import dev.baton.protocol.Reason;

/**
 * A service's handle on its supervisor. {@link #connect(String...)} finds the listeners in
 * the environment (batond, systemd, start_server, or binds them itself when alone), then the
 * service serves on them, registers what the drain must stop and close, and calls
 * {@link #ready()}. SIGTERM (or SIGINT) runs the {@link Drain} and exits.
 *
 * <pre>{@code
 * Baton baton = Baton.connect("127.0.0.1:8080");      // address used only when alone
 * ServerSocketChannel server = baton.listener().serverSocketChannel();
 * ... serve ...
 * baton.onDrain(Drainable.of(server, inflight));      // stop accepting, let in-flight finish
 * baton.onClose("db-pool", pool);                      // closed after the drain, last registered first
 * baton.readinessCheck("db", pool::isReachable);       // ready() waits for it
 * baton.warmUp(1000, () -> handler.handle(canned));    // then ready() calls it 1000 times
 * baton.warmUpUntilJitIdle(Duration.ofSeconds(30), () -> handler.handle(canned)); // and on until C2 is done
 * baton.ready();
 * }</pre>
 */
public final class Baton {
    static final System.Logger LOG = System.getLogger("dev.baton.child");

    /**
     * Drain deadline when the environment does not give one: fits Kubernetes' default grace
     * period of 30 s with room for a preStop delay.
     */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(25);

    /** The longest {@code BATON_DRAIN_TIMEOUT_MS} taken: batond's longest --drain-timeout. */
    public static final Duration MAX_DRAIN_TIMEOUT = Duration.ofHours(24);

    /** How long {@link #ready()} waits for the readiness checks: batond's default --ready-timeout. */
    public static final Duration DEFAULT_READY_WAIT = Duration.ofSeconds(60);

    private final Mode mode;
    private final int generation;
    private final List<Listener> listeners;
    private final BatondLink batond;    // null when not under batond
    private final Readiness readiness = new Readiness();
    private final WarmUp warmUp = new WarmUp();
    private final Drain drain;
    /** Opens when READY is reported; what runs after it waits here (null until started, see startWaitingForReady). */
    private CountDownLatch readyReported;
    private Thread readinessWatch;

    private Baton(Mode mode, int generation, List<Listener> listeners, BatondLink batond, Duration drainTimeout) {
        this.mode = mode;
        this.generation = generation;
        this.listeners = List.copyOf(listeners);
        this.batond = batond;
        this.drain = new Drain(drainTimeout, batond, generation, readiness, LoggingShutdown::stop, System::exit);
        if (batond != null) {
            batond.start(drain::started);
        }
    }

    /**
     * Finds this process's listeners and installs the SIGTERM/SIGINT drain. The addresses
     * ({@code HOST:PORT}) are bound only when no supervisor passed listeners; the environment
     * variable {@code BATON_LISTEN} (comma separated) overrides them then.
     */
    public static Baton connect(String... standaloneAddresses) throws IOException {
        // Handlers go in first: a SIGTERM during the handoff is kept and drains right after it,
        // instead of killing the JVM with 143 half-way through.
        DrainSignals signals = DrainSignals.install();
        Baton baton = fromEnvironment(System.getenv(), Arrays.asList(standaloneAddresses));
        signals.route(baton.drain);
        LOG.log(Level.INFO, "baton: mode=" + baton.mode + " generation=" + baton.generation
                + " listeners=" + baton.listeners);
        return baton;
    }

    static Baton fromEnvironment(Map<String, String> env, List<String> standaloneAddresses) throws IOException {
        Duration drainTimeout = drainTimeout(env);
        String socket = env.get(Env.BATON_SOCKET);
        if (socket != null && !socket.isEmpty()) {
            return fromBatond(env, socket, drainTimeout);
        }
        long pid = ProcessHandle.current().pid();
        List<Listener> systemd = InheritedListeners.systemd(env, pid);
        if (!systemd.isEmpty()) {
            systemd.forEach(l -> ChildNative.setCloseOnExec(l.fd()));
            return new Baton(Mode.SYSTEMD, 0, systemd, null, drainTimeout);
        }
        List<Listener> startServer = InheritedListeners.startServer(env);
        if (!startServer.isEmpty()) {
            startServer.forEach(l -> ChildNative.setCloseOnExec(l.fd()));
            return new Baton(Mode.START_SERVER, 0, startServer, null, drainTimeout);
        }
        String override = env.get("BATON_LISTEN");
        List<String> addresses = override != null && !override.isBlank()
                ? Arrays.asList(override.split(",")) : standaloneAddresses;
        if (addresses.isEmpty()) {
            throw new IOException("no listeners: not started by batond, systemd or start_server, "
                    + "and no address given (set BATON_LISTEN=HOST:PORT)");
        }
        List<Listener> bound = new ArrayList<>();
        for (String text : addresses) {
            InetSocketAddress address = Addresses.parse(text.trim());
            try {
                Sockets.Bound b = Sockets.listen(address);
                bound.add(new Listener(text.trim(), b.address(), b.fd()));
            } catch (IOException e) {
                throw new IOException("cannot listen on " + text.trim() + ": " + e.getMessage(), e);
            }
        }
        return new Baton(Mode.STANDALONE, 0, bound, null, drainTimeout);
    }

    private static Baton fromBatond(Map<String, String> env, String socket, Duration drainTimeout) throws IOException {
        String token = env.get(Env.BATON_TOKEN);
        if (token == null || token.isEmpty()) {
            throw new IOException("BATON_SOCKET is set but BATON_TOKEN is not: start this service through batond");
        }
        Handoff handoff = Handoff.connect(socket);
        handoff.send(Frame.of(Keys.BATON, "1", Keys.TOKEN, token, Keys.PID, Long.toString(ProcessHandle.current().pid())));
        Handoff.Received received;
        try {
            received = handoff.receive();
        } catch (IOException e) {
            handoff.close();
            throw new IOException("batond refused the handoff (" + e.getMessage() + "): is BATON_TOKEN this generation's?", e);
        }
        Frame frame = received.frame();
        List<Integer> fds = received.fds();
        String names = frame.get(Keys.LISTENERS);
        String addresses = frame.get(Keys.ADDRESSES);
        String generation = frame.get(Keys.GENERATION);
        List<String> nameList = names == null || names.isEmpty() ? List.of() : List.of(names.split(","));
        List<String> addressList = addresses == null || addresses.isEmpty() ? List.of() : List.of(addresses.split(","));
        if (generation == null || nameList.size() != fds.size() || addressList.size() != fds.size()) {
            fds.forEach(ChildNative::close);
            handoff.close();
            throw new IOException("bad LISTENERS frame from batond: " + frame + " with " + fds.size() + " fds");
        }
        List<Listener> listeners = new ArrayList<>();
        for (int i = 0; i < fds.size(); i++) {
            listeners.add(new Listener(nameList.get(i), Addresses.parse(addressList.get(i)), fds.get(i)));
        }
        int number = Integer.parseInt(generation);
        return new Baton(Mode.BATOND, number, listeners, new BatondLink(handoff, socket, token, number, listeners),
                drainTimeout);
    }

    /**
     * The drain's overall deadline. {@code BATON_DRAIN_TIMEOUT_MS} is when batond sends SIGKILL:
     * the drain ends a tenth earlier, so the process still reports DRAINED and exits on its own.
     * batond's --drain-timeout is at most {@link #MAX_DRAIN_TIMEOUT}: a larger value (one set by
     * hand, say) is taken as that, and one that is not a positive number of milliseconds as unset,
     * each with a warning, so that SIGTERM always drains and ends.
     */
    static Duration drainTimeout(Map<String, String> env) {
        String millis = env.get(Env.BATON_DRAIN_TIMEOUT_MS);
        if (millis == null) {
            return DEFAULT_DRAIN_TIMEOUT;
        }
        String text = millis.trim();
        boolean digits = !text.isEmpty();
        for (int i = 0; i < text.length() && digits; i++) {
            digits = text.charAt(i) >= '0' && text.charAt(i) <= '9';
        }
        long max = MAX_DRAIN_TIMEOUT.toMillis();
        long value;
        if (!digits) {
            value = 0;
        } else {
            int start = 0;
            while (start < text.length() - 1 && text.charAt(start) == '0') {
                start++;
            }
            String significant = text.substring(start);
            // More digits than a long holds: beyond the bound too.
            value = significant.length() > 18 ? Long.MAX_VALUE : Long.parseLong(significant);
        }
        if (value <= 0) {
            LOG.log(Level.WARNING, "baton: BATON_DRAIN_TIMEOUT_MS='" + printable(millis)
                    + "' is not a positive number of milliseconds: draining for at most "
                    + DEFAULT_DRAIN_TIMEOUT.toSeconds() + "s, the default");
            return DEFAULT_DRAIN_TIMEOUT;
        }
        if (value > max) {
            LOG.log(Level.WARNING, "baton: BATON_DRAIN_TIMEOUT_MS=" + printable(text) + " is more than "
                    + max + " (24h), the longest batond allows: taken as " + max);
            value = max;
        }
        return Duration.ofMillis(value - value / 10);
    }

    /** {@code text} with control characters escaped and at most 40 characters shown: a warning stays one line. */
    private static String printable(String text) {
        StringBuilder b = new StringBuilder(48);
        for (char c : (text.length() > 40 ? text.substring(0, 40) : text).toCharArray()) {
            if (Character.isISOControl(c)) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return text.length() > 40 ? b + "..." : b.toString();
    }

    /** The drain's overall deadline: {@link #DEFAULT_DRAIN_TIMEOUT}, or derived from batond's. */
    public Duration drainTimeout() {
        return drain.timeout();
    }

    /** Where the listeners came from. */
    public Mode mode() {
        return mode;
    }

    /** batond's generation number for this process; 0 when not under batond. */
    public int generation() {
        return generation;
    }

    /** The link to batond (tests close it); null when not under batond. */
    BatondLink batondLink() {
        return batond;
    }

    /** Every listener, in the order the supervisor (or the configuration) named them. */
    public List<Listener> listeners() {
        return listeners;
    }

    /** The first listener: most services have exactly one. */
    public Listener listener() {
        return listeners.get(0);
    }

    /** The listener of that name; throws {@link IllegalArgumentException} naming the ones there are. */
    public Listener listener(String name) {
        return listeners.stream().filter(l -> l.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no listener named '" + name + "' in " + listeners));
    }

    /**
     * Registers a readiness gate, e.g. {@code baton.readinessCheck("db", () -> pool.isReachable())}.
     * {@link #ready()} waits until every check passes, and the {@code /ready} probe runs them
     * again each time it is asked. Register checks before calling {@link #ready()}.
     */
    public void readinessCheck(String name, ReadinessCheck check) {
        readiness.add(name, check);
    }

    /** The readiness state behind the {@code /ready} probe, for services that serve the probe themselves. */
    public Readiness readiness() {
        return readiness;
    }

    /**
     * Serves {@code /ready} and {@code /live} on their own HTTP port (JDK's built-in HTTP
     * server), e.g. for Kubernetes probes; see {@link ProbeServer}. Closed as a resource of the
     * drain, so it answers (503 on {@code /ready}) until the end.
     */
    public ProbeServer serveProbes(String address) throws IOException {
        ProbeServer probes = ProbeServer.start(Addresses.parse(address), readiness);
        onClose("probes", probes);
        return probes;
    }

    /**
     * Registers a warm-up: {@link #ready()} calls {@code task} {@code times} times once the
     * readiness checks pass and before it reports READY, e.g. the service's own handler on a
     * canned request, so that the first real requests after READY do not run cold (class loading,
     * JIT). Its duration is logged and sent to batond ({@code WARMUP_MS} in READY). Call the
     * handler in-process or over a private loopback socket, never through the service's listener
     * (another generation may be serving on it). A call that throws fails the start: see
     * {@link #ready(Duration)}. Steps registered more than once run in order of registration.
     */
    public void warmUp(int times, WarmUpTask task) {
        warmUp.add(times, task);
    }

    /** As {@link #warmUp(int, WarmUpTask)}, calling {@code task} again and again until {@code duration} has passed (at least once). */
    public void warmUp(Duration duration, WarmUpTask task) {
        warmUp.add(duration, task);
    }

    /**
     * Registers a warm-up step that calls {@code task} until the JVM's JIT compiler is idle, at
     * most for {@code atMost}: usually after a {@link #warmUp(int, WarmUpTask)} that made the code
     * hot. Without it, a JVM on a small VM is still compiling its hot paths with C2 (about a core)
     * through its first seconds of real traffic after READY. The calls are paced (a short pause
     * after each) so that the compiler threads get the CPU, and the step ends once the compilation
     * time has not grown for 2,048 calls. At {@code atMost} READY comes anyway, logged as a
     * warning; a JVM that reports no compilation time (-Xint) gets 2,048 calls. A call that throws
     * fails the start as in every warm-up step.
     */
    public void warmUpUntilJitIdle(Duration atMost, WarmUpTask task) {
        warmUp.addUntilJitIdle(atMost, task);
    }

    /**
     * Runs the registered warm-up now instead of in {@link #ready()}: before the service starts
     * accepting on its listeners, so that no client of this process meets it cold while the
     * previous generation still serves them all. {@link #ready()} then reports how long it took
     * ({@code WARMUP_MS}) without running it again. Throws as a warm-up in ready() does.
     */
    public void warmUpNow() throws InterruptedException {
        startWaitingForReady();
        try {
            warmUp.run();
        } catch (RuntimeException | Error e) {
            stopWaitingForReady();
            throw e;
        }
    }

    /**
     * Waits until every readiness check passes (at most {@link #DEFAULT_READY_WAIT}), then tells
     * the supervisor this process serves real traffic; under batond the previous generation is
     * drained after this. See {@link #ready(Duration)}.
     */
    public void ready() throws InterruptedException {
        ready(DEFAULT_READY_WAIT);
    }

    /**
     * Runs the readiness checks every {@link Readiness#RETRY_INTERVAL} until all pass, logging
     * which one fails and why, then the warm-up ({@link #warmUp(int, WarmUpTask)}), then reports
     * READY (batond's frame with the warm-up's {@code WARMUP_MS}, or sd_notify under systemd)
     * and starts the stats frames for batond. Throws {@link IllegalStateException} naming the
     * failing check when {@code maxWait} passes first, or naming the warm-up call that threw:
     * nothing is reported then, and the service should log the message and exit non-zero
     * (batond would kill it at its --ready-timeout anyway).
     */
    public void ready(Duration maxWait) throws InterruptedException {
        readiness.awaitPassing(maxWait);
        CountDownLatch reported = startWaitingForReady();
        try {
            WarmUp.Result warmed = warmUp.run();
            switch (mode) {
                case BATOND -> batond.send(Frame.of(Keys.READY, "1", Keys.WARMUP_MS, Long.toString(warmed.millis())));
                case SYSTEMD -> SdNotify.notify("READY=1");
                case START_SERVER, STANDALONE -> { }
            }
        } catch (IOException e) {
            stopWaitingForReady();
            throw new UncheckedIOException("cannot report READY: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            stopWaitingForReady();
            throw e;
        }
        readiness.markReady();
        drain.releaseStats();
        reported.countDown();
        LOG.log(Level.INFO, "baton: ready generation=" + generation);
    }

    /**
     * Starts what runs after READY (the stats thread, the readiness watch under batond), waiting
     * for it; once, before the warm-up. Their threads, executor and lambdas would otherwise load
     * in the first milliseconds after READY, where each class loaded can throw away code the
     * warm-up compiled (measured on hello: a dozen methods at once, recompiled under load).
     */
    private synchronized CountDownLatch startWaitingForReady() {
        if (readyReported == null) {
            readyReported = new CountDownLatch(1);
            readinessWatch = mode == Mode.BATOND
                    ? ReadinessWatch.startAtReady(readiness, this::notReady, ReadinessWatch.INTERVAL, readyReported) : null;
            drain.startStats();
        }
        return readyReported;
    }

    /** READY will not be reported after a failed start: what waited for it ends. */
    private synchronized void stopWaitingForReady() {
        drain.cancelStats();
        if (readinessWatch != null) {
            readinessWatch.interrupt();
        }
        readyReported = null;
        readinessWatch = null;
    }

    /**
     * Tells batond this process is not ready any more, after READY: inside batond's
     * {@code --min-ready} window that rolls the reload back (this generation drains, the previous
     * one keeps serving); at any other time batond only logs it. Registered readiness checks do
     * this by themselves when one starts failing after READY. Logged in every mode; sent only
     * under batond, once READY was reported and before the drain. Never throws.
     */
    public void notReady(String reason) {
        String line = Reason.oneLine(reason);
        boolean send = mode == Mode.BATOND && readiness.readyReported() && !readiness.draining();
        LOG.log(Level.WARNING, "baton: not ready any more: " + line + (send ? " (NOT_READY sent to batond)" : ""));
        if (send) {
            batond.send(Frame.of(Keys.NOT_READY, "1", Keys.REASON, line)); // dropped, never thrown, when batond is gone
        }
    }

    /**
     * Sends {@code INFLIGHT} and {@code SERVED} to batond now. Not needed when the registered
     * {@link Drainable}s count ({@link Drainable#inflight()}, {@link Drainable#served()}): their
     * sums are then sent automatically, at most once a second and only on change. For services
     * that count themselves; call it at most once a second. Does nothing when not under batond,
     * and never throws: a failed send is logged.
     */
    public void reportStats(long inflight, long served) {
        if (batond != null) {
            batond.send(Frame.of(Keys.INFLIGHT, Long.toString(inflight), Keys.SERVED, Long.toString(served)));
        }
    }

    /** Registers a participant of the drain: see {@link Drainable} for its stages. */
    public void onDrain(Drainable drainable) {
        drain.add(drainable);
    }

    /**
     * Registers something to close once the drain's waiting stages are over: resources close in
     * reverse order of registration (the last registered first, as try-with-resources does), so
     * a pool registered before the server that uses it closes after that server. Each close is
     * logged ({@code closed db-pool}) and reported to batond. The name must not contain a comma.
     */
    public void onClose(String name, AutoCloseable resource) {
        drain.onClose(name, resource);
    }

    /** Runs the drain now, as SIGTERM would, and exits the JVM when it is done. */
    public void drainAndExit(String reason) {
        drain.startAndExit(reason);
    }
}
