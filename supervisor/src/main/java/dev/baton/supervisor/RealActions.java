package dev.baton.supervisor;

import dev.baton.supervisor.lifecycle.Event;
import dev.baton.supervisor.lifecycle.ListenCounters;
import dev.baton.supervisor.log.LogOutput;

import dev.baton.supervisor.cli.Config;
import dev.baton.supervisor.control.ControlServer;
import dev.baton.supervisor.lifecycle.BatondImage;
import dev.baton.supervisor.lifecycle.LifecycleState;
import dev.baton.supervisor.upgrade.ImageCommand;
import dev.baton.supervisor.upgrade.ImageReplacement;
import dev.baton.supervisor.upgrade.ImageState;
import dev.baton.supervisor.upgrade.NewImageCheck;
import dev.baton.supervisor.upgrade.StateCodec;
import dev.baton.supervisor.handoff.HandoffServer;
import dev.baton.supervisor.lifecycle.Actions;
import dev.baton.supervisor.lifecycle.Listener;
import dev.baton.supervisor.lifecycle.ServiceManager;
import dev.baton.supervisor.lifecycle.Sig;
import dev.baton.supervisor.os.CgroupCpuWeight;
import dev.baton.supervisor.os.ChildProcesses;
import dev.baton.supervisor.os.KernelSockets;
import dev.baton.supervisor.os.MemoryCheck;
import dev.baton.supervisor.os.Native;
import dev.baton.supervisor.os.OrphanReaper;
import dev.baton.supervisor.os.StartNice;
import dev.baton.supervisor.lifecycle.StartPriority;
import dev.baton.supervisor.systemd.SdNotifier;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.StringJoiner;

import dev.baton.protocol.Addresses;
import dev.baton.protocol.Env;
import dev.baton.protocol.Frame;
import dev.baton.protocol.Keys;
import dev.baton.protocol.ListenFds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link Actions} for real: processes, signals, the handoff socket, timers. */
public final class RealActions implements Actions {
    private static final Logger LOG = LoggerFactory.getLogger("batond");

    /** Variables batond must not pass on: they describe batond's own start, not the child's. */
    private static final List<String> NOT_INHERITED = List.of(
            "NOTIFY_SOCKET", ListenFds.LISTEN_FDS, ListenFds.LISTEN_PID, ListenFds.LISTEN_FDNAMES, "WATCHDOG_USEC", "WATCHDOG_PID",
            "_JAVA_SR_SIGNUM", "BATOND_JAVA_OPTS", ImageCommand.LAUNCHER, ImageReplacement.STATE_FD);

    private final Config config;
    private final List<Listener> listeners;
    private final HandoffServer handoff;
    private final EventLoop loop;
    private final MemoryCheck memory;
    private final OrphanReaper reaper;
    private final KernelSockets kernel;
    private final ServiceManager notes;
    private final SecureRandom random = new SecureRandom();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "timers");
        t.setDaemon(true);
        return t;
    });
    private final ChildProcesses children;
    private final Native nat;
    /** Set once the control socket is open (before the loop runs). */
    private ControlServer control;
    private final BatondImage image;
    private final List<String> batondArgs;
    private final StartNice startNice;
    private final StartPriority startPriority;
    /** batond's own nice value: what a child started low gets back at READY. */
    private final int ownNice;
    /** batond's own session's autogroup nice value: what a child's session gets back, where autogroups are on. */
    private final int ownAutogroupNice;
    /** The start priority through cgroup v2 cpu.weight, where batond has a delegated subtree; null: nice (or off). */
    private final CgroupCpuWeight cgroup;
    /** Tries at setting a child's autogroup back: an unprivileged batond may change one only every 100 ms. */
    static final int AUTOGROUP_TRIES = 10;

    RealActions(Config config, List<Listener> listeners, HandoffServer handoff, EventLoop loop,
                MemoryCheck memory, OrphanReaper reaper, KernelSockets kernel, SdNotifier serviceManager,
                Native nat, BatondImage image, List<String> batondArgs, StartPriority startPriority, int ownNice, CgroupCpuWeight cgroup) {
        this.nat = nat;
        this.cgroup = cgroup;
        this.startNice = new StartNice(nat, Path.of("/proc"));
        this.startPriority = startPriority;
        this.ownNice = ownNice;
        this.ownAutogroupNice = Math.max(0, startNice.autogroupNice(ProcessHandle.current().pid()).orElse(0));
        this.image = image;
        this.batondArgs = List.copyOf(batondArgs);
        this.children = new ChildProcesses(nat, Path.of("/proc"), timers, event -> {
            if (cgroup != null && event instanceof Event.ChildExited exited) {
                // Off the loop (the child's waiter thread): its group is empty, so is its cgroup, or soon.
                cgroup.remove(exited.generation(), timers, why -> LOG.warn("gen={}: {}", exited.generation(), why));
            }
            loop.post(event);
        });
        this.notes = serviceManager.messages();
        this.config = config;
        this.listeners = listeners;
        this.handoff = handoff;
        this.loop = loop;
        this.memory = memory;
        this.reaper = reaper;
        this.kernel = kernel;
    }

    @Override
    public Instant now() {
        return Instant.now();
    }

    @Override
    public String newToken() {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public long spawn(int generation, String token, boolean low) throws IOException {
        Map<String, String> env = new java.util.TreeMap<>(System.getenv());
        NOT_INHERITED.forEach(env::remove);
        env.put(Env.BATON_SOCKET, handoff.socketPath().toString());
        env.put(Env.BATON_TOKEN, token);
        env.put(Env.BATON_GENERATION, Integer.toString(generation));
        env.put(Env.BATON_DRAIN_TIMEOUT_MS, Long.toString(config.drainTimeout().toMillis()));
        List<String> variables = new java.util.ArrayList<>(env.size());
        env.forEach((name, value) -> variables.add(name + "=" + value));
        if (cgroup != null) {
            return spawnInCgroup(generation, variables, low && startPriority.on());
        }
        if (low && startPriority.on()) {
            return children.spawnNiced(generation, config.command(), variables, startNice, config.startNice());
        }
        return children.spawn(generation, config.command(), variables);
    }

    /**
     * Every generation in a cgroup of its own: a reload's new one at cpu.weight 1 until READY, the
     * others at the default. gen-N is made before the spawn, the child moved in right after it.
     */
    private long spawnInCgroup(int generation, List<String> variables, boolean low) throws IOException {
        int weight = low ? CgroupCpuWeight.LOW : CgroupCpuWeight.DEFAULT;
        String why = cgroup.prepare(generation, weight);
        long pid;
        try {
            pid = children.spawn(generation, config.command(), variables);
        } catch (IOException | RuntimeException e) {
            if (why == null) {
                cgroup.remove(generation, timers, w -> LOG.warn("gen={}: {}", generation, w));
            }
            throw e;
        }
        if (why == null) {
            why = cgroup.place(generation, pid);
        }
        if (why != null) {
            LOG.warn("gen={} pid={} not in a cgroup of its own ({}): it runs at batond's cpu.weight", generation, pid, why);
        }
        return pid;
    }

    @Override
    public StartPriority startPriority() {
        return startPriority;
    }

    @Override
    public void restorePriority(int generation, long pid) {
        // On the loop, before the old generation's SIGTERM: reads of /proc and one call per thread, no disk.
        if (cgroup != null) {
            String why = cgroup.restore(generation); // one write to cgroupfs
            if (why == null) {
                LOG.info("gen={} pid={} start priority restored: cpu.weight {}", generation, pid, CgroupCpuWeight.DEFAULT);
            } else {
                LOG.warn("gen={} pid={} start priority not restored: {}", generation, pid, why); // the reload goes on
            }
            return;
        }
        StartNice.GenerationRestore done = startNice.restoreGeneration(pid, ownNice, ownAutogroupNice);
        String autogroup = done.autogroup();
        if (autogroup != null) {
            retryAutogroup(generation, pid, 2);
        }
        String session = !startNice.autogroups() ? "" : autogroup == null
                ? "autogroup nice " + ownAutogroupNice + " in " + millis(done.autogroupNanos()) + ", then "
                : "autogroup not yet (" + autogroup + "): tried again off the loop; ";
        StartNice.Restored r = done.threads();
        if (r == null) {
            // The reload goes on; the session, if set, is what counts where autogroups decide.
            LOG.warn("gen={} pid={} start priority of its threads not restored: {}{}", generation, pid, done.failure().toString(),
                    startNice.autogroups() && autogroup == null ? " (its autogroup nice " + ownAutogroupNice + " was)" : "");
        } else if (!r.whole() || autogroup != null) {
            LOG.warn("gen={} pid={} start priority restored to nice {} in part: {}{} in {}", generation, pid, ownNice,
                    session, r.describe(), millis(done.nanos()));
        } else {
            LOG.info("gen={} pid={} start priority restored to nice {}: {}{} in {}", generation, pid, ownNice,
                    session, r.describe(), millis(done.nanos()));
        }
    }

    @Override
    public void lowerDrainPriority(int generation, long pid) {
        int nice = config.drainNice();
        if (nice == 0) {
            return;
        }
        if (cgroup != null) {
            String why = cgroup.lower(generation); // one write: covers every thread, later ones too
            if (why == null) {
                LOG.info("gen={} pid={} drains at cpu.weight {}", generation, pid, CgroupCpuWeight.LOW);
                return;
            }
            LOG.warn("gen={} pid={} drains at nice {} instead of a low cpu.weight: {}", generation, pid, nice, why);
        }
        // The session first, on the loop: one write, and where autogroups decide, all that counts.
        String autogroup = startNice.autogroups() ? startNice.restoreAutogroup(pid, nice) : null;
        // Each thread's nice value off the loop: a scan of /proc that must not hold back the SIGTERM.
        timers.execute(() -> {
            long began = System.nanoTime();
            StartNice.Restored r;
            try {
                r = startNice.restore(pid, nice);
            } catch (RuntimeException e) {
                LOG.warn("gen={} pid={} drain priority not lowered: {}", generation, pid, e.toString());
                return;
            }
            String took = millisSince(began);
            String session = !startNice.autogroups() ? "" : autogroup == null ? ", autogroup nice " + nice
                    : ", autogroup not lowered (" + autogroup + ")";
            if (!r.whole() || autogroup != null) {
                LOG.warn("gen={} pid={} drains at nice {} in part: {}{} in {}", generation, pid, nice,
                        r.describe(), session, took);
            } else {
                LOG.info("gen={} pid={} drains at nice {}: {}{} in {}", generation, pid, nice,
                        r.describe(), session, took);
            }
        });
    }

    @Override
    public String drainPriority() {
        if (config.drainNice() == 0) {
            return "off";
        }
        return cgroup != null ? "cpu.weight " + CgroupCpuWeight.LOW : "nice " + config.drainNice();
    }

    /** Time since {@code began} (System.nanoTime) for a log line, to a tenth of a millisecond: "11.5 ms". */
    private static String millisSince(long began) {
        return millis(System.nanoTime() - began);
    }

    /** A duration in nanoseconds for a log line, to a tenth of a millisecond: "11.5 ms". */
    private static String millis(long nanos) {
        long micros = nanos / 1000;
        return micros / 1000 + "." + micros % 1000 / 100 + " ms";
    }

    /** Sets the child's autogroup back from the timer thread, every 150 ms, a few times at most. */
    private void retryAutogroup(int generation, long pid, int attempt) {
        timers.schedule(() -> {
            String why = startNice.restoreAutogroup(pid, ownAutogroupNice);
            if (why == null) {
                LOG.info("gen={} pid={} autogroup nice {} restored (try {})", generation, pid, ownAutogroupNice, attempt);
            } else if (attempt < AUTOGROUP_TRIES) {
                retryAutogroup(generation, pid, attempt + 1);
            } else {
                LOG.error("gen={} pid={} autogroup nice not restored after {} tries: {}", generation, pid, attempt, why);
            }
        }, 150, TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean signal(long pid, Sig signal) {
        // To the whole process group: a wrapper script and what it started drain, or die, together.
        return children.signal(pid, signal);
    }

    @Override
    public int kill(long pid) {
        return children.kill(pid);
    }

    @Override
    public String sendListeners(int connection, int generation) throws IOException {
        StringJoiner names = new StringJoiner(",");
        StringJoiner addresses = new StringJoiner(",");
        int[] fds = new int[listeners.size()];
        for (int i = 0; i < fds.length; i++) {
            Listener l = listeners.get(i);
            names.add(l.name());
            addresses.add(Addresses.format(l.address()));
            fds[i] = l.fd();
        }
        Frame frame = Frame.of(Keys.GENERATION, Integer.toString(generation), Keys.LISTENERS, names.toString(),
                Keys.ADDRESSES, addresses.toString());
        handoff.send(connection, frame, fds);
        return names.toString();
    }

    @Override
    public void closeConnection(int connection) {
        handoff.close(connection);
    }

    /** The timer thread, for work that can wait a little (IdleCompaction's collection after a reload). */
    ScheduledExecutorService timers() {
        return timers;
    }

    @Override
    public void schedule(Duration delay, Event event) {
        timers.schedule(() -> loop.post(event), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Posts the event every period until batond exits. */
    void repeat(Duration period, Event event) {
        timers.scheduleWithFixedDelay(() -> loop.post(event), period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public Optional<String> memoryShortfall(long runningPid) {
        return memory.shortfall(runningPid);
    }

    @Override
    public int reapOrphans(Set<Long> generations) {
        List<Long> reaped = reaper.reap(generations);
        if (!reaped.isEmpty()) {
            LOG.info("reaped orphaned process(es) {}", reaped);
        }
        return reaped.size();
    }

    @Override
    public ListenCounters listenCounters() {
        return kernel.listenCounters();
    }

    @Override
    public List<Listener> listeners() {
        return listeners;
    }

    @Override
    public Map<String, Long> acceptQueues() {
        return kernel.acceptQueues(listeners);
    }

    @Override
    public ServiceManager serviceManager() {
        return notes;
    }

    @Override
    public long logLinesDropped() {
        return LogOutput.dropped();
    }

    void control(ControlServer control) {
        this.control = control;
    }

    /** Where the batond that died had each listener, by name (its state file): what a child's returned one must match. */
    private final Map<String, java.net.InetSocketAddress> savedListeners = new java.util.LinkedHashMap<>();

    void savedListeners(List<Listener> saved) {
        saved.forEach(l -> savedListeners.put(l.name(), l.address()));
    }

    @Override
    public void watchAdopted(int generation, long pid) {
        children.watchAdopted(generation, pid);
    }

    @Override
    public void requestListeners(int connection) throws IOException {
        handoff.requestListeners(connection);
    }

    @Override
    public String takeListeners(List<String> names, List<String> addresses, int[] fds, boolean wanted) {
        StringJoiner taken = new StringJoiner(", ");
        for (int i = 0; i < fds.length; i++) {
            int fd = fds[i];
            String name = i < names.size() ? names.get(i) : null;
            String refusal = !wanted ? "batond did not ask for it" : listenerRefusal(name, fd);
            if (refusal != null) {
                LOG.warn("returned descriptor {} ({}) refused: {}", i, name == null ? "unnamed" : name, refusal);
                nat.close(fd);
                continue;
            }
            try {
                Listener l = new Listener(name, nat.localAddress(fd), fd);
                listeners.add(l);
                taken.add(l.name() + "=" + Addresses.format(l.address()) + " fd=" + fd);
            } catch (IOException e) {
                LOG.warn("returned descriptor {} ({}) refused: {}", i, name, e.getMessage());
                nat.close(fd);
            }
        }
        return taken.toString();
    }

    /** Why a descriptor a child returned is not the listener it is named for; null when it is. */
    private String listenerRefusal(String name, int fd) {
        if (name == null || name.isEmpty()) {
            return "no name for it in the frame";
        }
        for (Listener l : listeners) {
            if (l.name().equals(name)) {
                return "batond holds listener " + name + " already";
            }
        }
        java.net.InetSocketAddress expected = savedListeners.get(name);
        if (expected == null) {
            for (dev.baton.supervisor.cli.ListenSpec spec : config.listens()) {
                if (spec.name().equals(name)) {
                    expected = spec.address();
                }
            }
        }
        if (expected == null) {
            return "batond has no listener named " + name;
        }
        if (!kernel.isListening(fd)) {
            return "not a listening TCP socket";
        }
        java.net.InetSocketAddress actual;
        try {
            actual = nat.localAddress(fd);
        } catch (IOException e) {
            return e.getMessage();
        }
        boolean samePort = expected.getPort() == 0 || expected.getPort() == actual.getPort();
        boolean sameHost = expected.getAddress().equals(actual.getAddress())
                || expected.getAddress().isAnyLocalAddress() && actual.getAddress().isAnyLocalAddress()
                || mapped(actual.getAddress()).equals(expected.getAddress());
        if (!samePort || !sameHost) {
            return "bound to " + Addresses.format(actual) + ", not " + Addresses.format(expected);
        }
        return null;
    }

    /** An IPv4-mapped IPv6 address (a dual-stack socket's getsockname) as the IPv4 address it is. */
    private static java.net.InetAddress mapped(java.net.InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 16) {
            for (int i = 0; i < 10; i++) {
                if (b[i] != 0) {
                    return a;
                }
            }
            if (b[10] == (byte) 0xff && b[11] == (byte) 0xff) {
                try {
                    return java.net.InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16));
                } catch (java.net.UnknownHostException e) {
                    return a;
                }
            }
        }
        return a;
    }

    @Override
    public Optional<String> bindMissingListeners(Set<Long> suspects) {
        List<dev.baton.supervisor.os.Listeners.Wanted> wanted = new java.util.ArrayList<>();
        for (dev.baton.supervisor.cli.ListenSpec l : config.listens()) {
            // Where the batond that died had it (port 0 resolved), so that clients find it where they did.
            java.net.InetSocketAddress at = savedListeners.getOrDefault(l.name(), l.address());
            wanted.add(new dev.baton.supervisor.os.Listeners.Wanted(l.name(), l.address().getPort() == 0 ? at : l.address()));
        }
        List<Listener> before = List.copyOf(listeners);
        try {
            dev.baton.supervisor.os.Listeners.bindTheRest(wanted, listeners, nat);
        } catch (IOException e) {
            if (e.getMessage() == null || !e.getMessage().contains("in use")) {
                return Optional.of(String.valueOf(e.getMessage()));
            }
            // Who holds it: /proc/net/tcp6 may have tens of thousands of lines, so it is read off the loop.
            for (dev.baton.supervisor.os.Listeners.Wanted w : wanted) {
                if (listeners.stream().noneMatch(l -> l.name().equals(w.name()))) {
                    int port = w.address().getPort(); // the first one not bound is the one that failed
                    Thread lookup = new Thread(() -> {
                        String holders = dev.baton.supervisor.os.PortHolders.describe(Path.of("/proc"), port, suspects);
                        LOG.warn("port {} is held by {}", port, holders.isEmpty() ? "no process batond can look into" : holders);
                    }, "port-holders");
                    lookup.setDaemon(true);
                    lookup.start();
                    break;
                }
            }
            return Optional.of(e.getMessage());
        }
        List<Listener> bound = new java.util.ArrayList<>(listeners);
        bound.removeAll(before);
        if (!bound.isEmpty()) {
            List<String> stored = storeListeners.apply(bound);
            if (!stored.isEmpty()) {
                LOG.info("listeners {} put in systemd's file descriptor store", String.join(",", stored));
            }
        }
        return Optional.empty();
    }

    /** Puts listeners batond bound in systemd's fd store (set by Batond). */
    java.util.function.Function<List<Listener>, List<String>> storeListeners = l -> List.of();

    /** Watches a child the previous image started (after an upgrade). */
    void adoptChild(int generation, long pid) {
        children.adopt(generation, pid);
    }

    @Override
    public BatondImage image() {
        return image;
    }

    @Override
    public void checkNewImage() {
        Thread t = new Thread(() -> {
            NewImageCheck.Result r;
            try {
                r = NewImageCheck.run(ImageCommand.current(System.getenv(), batondArgs, Path.of("/proc")),
                        StateCodec.VERSION, NewImageCheck.TIMEOUT);
            } catch (IOException | RuntimeException e) {
                r = new NewImageCheck.Result(false, null, null, String.valueOf(e.getMessage()));
            }
            loop.post(new Event.UpgradeChecked(r.passed(), r.version(), r.jvm(), r.reason()));
        }, "upgrade-check");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void holdHandoff(boolean held) {
        if (!handoff.hold(held)) {
            LOG.warn("handoff thread did not stop reading within a second: frames read meanwhile may be lost");
        }
    }

    @Override
    public void replaceImage(LifecycleState state) throws IOException {
        ImageCommand command = ImageCommand.current(System.getenv(), batondArgs, Path.of("/proc"));
        ImageState image = new ImageState(state, listeners,
                new ImageState.Handoff(handoff.directory(), handoff.serverFd(), handoff.connectionFds(), handoff.lastId()),
                new ImageState.Control(control.path(), control.serverFd()));
        // The upgrade's own answer (and any other given) reaches its client before the exec closes the connection.
        control.awaitAnswersWritten(1000);
        LOG.info("upgrade: exec {} with {} descriptor(s) kept", command.path(),
                listeners.size() + 2 + image.handoff().connections().size());
        ImageReplacement.exec(image, command, nat, System.getenv(), () -> LogOutput.flushInstalled(1000));
    }

    @Override
    public void exit(int code) {
        timers.shutdownNow();
        loop.stop(code);
    }
}
