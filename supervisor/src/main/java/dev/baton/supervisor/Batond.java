package dev.baton.supervisor;

import dev.baton.supervisor.cli.ListenSpec;

import dev.baton.supervisor.os.NativePlatform;

import dev.baton.supervisor.cli.SocketPaths;
import dev.baton.supervisor.cli.SrSignal;
import dev.baton.supervisor.control.ControlCommands;
import dev.baton.supervisor.control.ControlServer;
import dev.baton.supervisor.handoff.HandoffServer;
import dev.baton.supervisor.lifecycle.Durations;
import dev.baton.supervisor.lifecycle.Event;
import dev.baton.supervisor.lifecycle.Listener;
import dev.baton.supervisor.lifecycle.Monitor;
import dev.baton.supervisor.lifecycle.Supervisor;
import dev.baton.supervisor.log.LogOutput;
import dev.baton.supervisor.metrics.PrometheusMonitor;
import dev.baton.supervisor.os.IdleCompaction;
import dev.baton.supervisor.os.KernelSockets;
import dev.baton.supervisor.os.LibcNative;
import dev.baton.supervisor.os.Listeners;
import dev.baton.supervisor.os.MemoryCheck;
import dev.baton.supervisor.os.Native;
import dev.baton.supervisor.os.OrphanReaper;
import dev.baton.supervisor.os.CgroupCpuWeight;
import dev.baton.supervisor.os.StartNiceCheck;
import dev.baton.supervisor.lifecycle.StartPriority;
import dev.baton.supervisor.systemd.SdNotifier;
import dev.baton.supervisor.systemd.Watchdog;

import dev.baton.supervisor.cli.Config;
import dev.baton.supervisor.cli.Options;

import dev.baton.supervisor.recovery.StateFile;
import dev.baton.supervisor.recovery.StateFileCheck;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.baton.protocol.Addresses;
import dev.baton.protocol.Version;
import dev.baton.supervisor.lifecycle.BatondImage;
import dev.baton.supervisor.upgrade.ImageCommand;
import dev.baton.supervisor.upgrade.ImageReplacement;
import dev.baton.supervisor.upgrade.ImageState;
import dev.baton.supervisor.upgrade.NewImageCheck;
import dev.baton.supervisor.upgrade.StateCodec;
import dev.baton.protocol.ControlPath;
import dev.baton.protocol.ListenFds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * batond: binds the listeners, starts generation 1, and from then on turns signals into
 * reloads and the shutdown. Exit codes: 0 after a clean shutdown, 2 for a usage error, 1
 * when it cannot run.
 */
public final class Batond {
    private static final Logger LOG = LoggerFactory.getLogger("batond");

    /** How often batond, as PID 1, looks for orphaned zombies. */
    static final java.time.Duration ORPHAN_SCAN = java.time.Duration.ofSeconds(1);

    private Batond() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        java.time.Instant imageStartedAt = java.time.Instant.now();
        if (args.length > 0 && args[0].startsWith(ImageCommand.CHECK_ONLY)) {
            return checkOnly(args);
        }
        Config config;
        try {
            config = Options.parse(args, System.out);
        } catch (IllegalArgumentException e) {
            return usageError(e.getMessage());
        }
        if (config == null) {
            return 0; // --help or --version, answered
        }
        // LibcNative lays out libc's structs by hand: anywhere but Linux LP64 it refuses to load,
        // and batond to start (--help and --version still answer).
        Optional<String> platform = NativePlatform.refusal();
        if (platform.isPresent()) {
            System.err.println("batond: " + platform.get());
            return 1;
        }
        Optional<String> sr = SrSignal.problem(System.getenv("_JAVA_SR_SIGNUM"));
        if (sr.isPresent()) {
            return usageError(sr.get());
        }

        // After an upgrade in place: the previous image's state, and its descriptors, to carry on with.
        String stateFd = System.getenv(ImageReplacement.STATE_FD);
        // Paths before anything is opened: a bad one is one line and exit 2, with nothing bound or created.
        Optional<String> badPath = stateFd != null ? Optional.empty() : SocketPaths.controlProblem(
                config.control().equals(ControlPath.fromEnvironment(System.getenv())) ? "control socket" : "--control",
                config.control());
        if (badPath.isEmpty()) {
            badPath = SocketPaths.handoffDirProblem(
                    config.handoffDir() != null ? "--handoff-dir" : "handoff directory", handoffParent(config));
        }
        if (badPath.isPresent()) {
            return usageError(badPath.get());
        }

        Native nat = new LibcNative();
        ImageState resumed = null;
        if (stateFd != null) {
            try {
                resumed = ImageReplacement.resume(stateFd, nat);
                ImageReplacement.closeOnExecAgain(resumed, nat);
            } catch (IllegalArgumentException | IOException e) {
                System.err.println("batond: cannot carry on after the upgrade: " + e.getMessage());
                return 1;
            }
        }
        // Not an upgrade: a batond that died may have left its state (and children) behind.
        dev.baton.supervisor.upgrade.SavedState saved = null;
        java.util.Set<Integer> running = new java.util.TreeSet<>();
        Map<Long, Long> startTimes = new java.util.HashMap<>();
        if (resumed == null) {
            Path stable = SocketPaths.stableHandoffDir(handoffParent(config), config.control());
            if (Files.isDirectory(stable, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                saved = StateFileCheck.read(stable, nat.uid(), System.currentTimeMillis()).orElse(null);
            }
            if (saved != null) {
                running = stillRunning(saved, startTimes);
            }
        }
        BatondImage image = new BatondImage(Version.number(), System.getProperty("java.version"),
                System.getProperty("java.vm.name"), imageStartedAt);
        KernelSockets kernel = new KernelSockets(Path.of("/proc"), nat);
        long pid = ProcessHandle.current().pid();
        // Read by the metrics thread at scrape time, filled here once.
        List<Listener> listeners = new CopyOnWriteArrayList<>();
        HandoffServer handoff = null;
        ControlServer control = null;
        StateFile stateFile = null;
        int exitCode = 1;
        PrometheusMonitor metrics = null;
        try {
            // Control socket and metrics first: when either fails, nothing else was logged or bound.
            EventLoop loop = new EventLoop();
            // Control commands run on the loop, which starts only once the supervisor below exists.
            java.util.concurrent.atomic.AtomicReference<Supervisor> supervisorRef = new java.util.concurrent.atomic.AtomicReference<>();
            try {
                java.util.function.BiConsumer<String, dev.baton.supervisor.control.ControlReply> commands =
                        ControlCommands.onLoop(task -> loop.post(task), supervisorRef::get);
                control = resumed != null
                        ? ControlServer.adopt(resumed.control().path(), resumed.control().fd(), nat, commands)
                        : ControlServer.open(config.control(), nat, commands);
            } catch (IOException e) {
                System.err.println("batond: cannot open the control socket " + SocketPaths.shown(config.control().toString())
                        + ": " + SocketPaths.describe(e));
                return 1;
            }
            if (config.metrics() != null) {
                try {
                    metrics = new PrometheusMonitor(config.metrics(), listeners, kernel,
                            LogOutput::dropped);
                } catch (IOException e) {
                    return usageError("--metrics " + Addresses.format(config.metrics()) + ": " + e.getMessage());
                }
            }
            if (resumed != null) {
                listeners.addAll(resumed.listeners()); // LISTEN_FDS, if any, are among them already
            }
            try {
                if (resumed == null) {
                    listeners.addAll(Listeners.adopt(ListenFds.fromEnvironment(System.getenv(), pid), nat, kernel));
                }
            } catch (IllegalArgumentException | IOException e) {
                return usageError("socket activation: " + e.getMessage());
            }
            try {
                List<Listeners.Wanted> wanted = new java.util.ArrayList<>();
                for (ListenSpec l : config.listens()) {
                    wanted.add(new Listeners.Wanted(l.name(), l.address()));
                }
                if (resumed == null && saved == null) {
                    List<Listener> adopted = List.copyOf(listeners);
                    Listeners.bindTheRest(wanted, listeners, nat);
                    List<Listener> bound = new java.util.ArrayList<>(listeners);
                    bound.removeAll(adopted);
                    // Under systemd: kept open by systemd should batond die, given back in LISTEN_FDS.
                    List<String> stored = new SdNotifier(System.getenv("NOTIFY_SOCKET"), nat).storeListeners(bound);
                    if (!stored.isEmpty()) {
                        LOG.info("listeners {} put in systemd's file descriptor store", String.join(",", stored));
                    }
                }
            } catch (IOException e) {
                return usageError(e.getMessage());
            }
            try {
                handoff = resumed != null
                        ? HandoffServer.adopt(resumed.handoff().directory(), resumed.handoff().fd(),
                                resumed.handoff().connections(), resumed.handoff().lastId(), nat, loop::post)
                        : HandoffServer.openAt(SocketPaths.stableHandoffDir(handoffParent(config), config.control()), nat, loop::post);
            } catch (IOException e) {
                System.err.println("batond: cannot create the handoff socket in "
                        + SocketPaths.shown(handoffParent(config).toString()) + ": " + SocketPaths.describe(e));
                return 1;
            }
            // Decided once: a child started low that batond could not restore would stay niced for good.
            // A delegated cgroup v2 subtree first (cpu.weight), nice where there is none.
            CgroupCpuWeight cgroup = startCgroup(config.startNice(), pid);
            StartPriority startPriority = cgroup != null ? cgroup.startPriority()
                    : StartNiceCheck.check(Path.of("/proc"), config.startNice());
            if (!startPriority.on() && config.startNice() != 0) {
                LOG.warn("--start-nice {} is {}", config.startNice(), startPriority.mechanism());
            }
            RealActions actions = new RealActions(config, listeners, handoff, loop,
                    new MemoryCheck(Path.of("/proc"), config.memoryHeadroom()), new OrphanReaper(Path.of("/proc"), nat), kernel,
                    new SdNotifier(System.getenv("NOTIFY_SOCKET"), nat), nat, image, List.of(args), startPriority,
                    StartNiceCheck.ownNice(Path.of("/proc")).orElse(0), cgroup);
            actions.control(control);
            SdNotifier storeNotifier = new SdNotifier(System.getenv("NOTIFY_SOCKET"), nat);
            actions.storeListeners = storeNotifier::storeListeners;
            stateFile = new StateFile(handoff.directory(), Path.of("/proc"), pid);
            if (pid == 1) {
                // PID 1 of a pid namespace inherits every orphan there; reap them.
                actions.repeat(ORPHAN_SCAN, new Event.ReapOrphans());
            }
            Optional<java.time.Duration> watchdog = Watchdog.period(System.getenv(), pid);
            watchdog.ifPresent(period -> actions.repeat(period, new Event.WatchdogDue()));
            Monitor monitor = new IdleCompaction(metrics != null ? metrics : Monitor.NONE, actions.timers());
            Supervisor supervisor;
            if (resumed != null) {
                try {
                    supervisor = Supervisor.resume(config.settings(), actions, nat.uid(), monitor, resumed.lifecycle());
                } catch (IllegalArgumentException e) {
                    System.err.println("batond: cannot carry on after the upgrade: " + e.getMessage());
                    return 1;
                }
                for (dev.baton.supervisor.lifecycle.LifecycleState.GenerationRecord g : resumed.lifecycle().generations()) {
                    if (resumed.lifecycle().alive().contains(g.number())) {
                        actions.adoptChild(g.number(), g.pid());
                    }
                }
            } else if (saved != null) {
                try {
                    supervisor = Supervisor.recover(config.settings(), actions, nat.uid(), monitor, saved.lifecycle(), running);
                } catch (IllegalArgumentException e) {
                    // Checksummed, so batond wrote it: a state that does not hang together is a bug, not an attack.
                    LOG.warn("state file {} does not hang together ({}): starting fresh", stateFile.path(), e.getMessage());
                    saved = null;
                    supervisor = new Supervisor(config.settings(), actions, nat.uid(), monitor);
                }
                if (saved != null) {
                    actions.savedListeners(saved.listeners());
                    stateFile.knownStartTimes(startTimes);
                    LOG.info("state file of the batond (pid {}) that died: {} generation(s) it recorded alive still run{}",
                            saved.batondPid(), running.size(), running.isEmpty() ? "" : " (gen=" + running + ")");
                } else {
                    // Fresh after all: bind as at any first start.
                    try {
                        List<Listeners.Wanted> wanted = new java.util.ArrayList<>();
                        for (ListenSpec l : config.listens()) {
                            wanted.add(new Listeners.Wanted(l.name(), l.address()));
                        }
                        Listeners.bindTheRest(wanted, listeners, nat);
                    } catch (IOException e) {
                        return usageError(e.getMessage());
                    }
                }
            } else {
                supervisor = new Supervisor(config.settings(), actions, nat.uid(), monitor);
            }
            Supervisor current = supervisor;
            StateFile file = stateFile;
            loop.afterEach(item -> {
                // Stats alone change only counters: written with the next change of the lifecycle.
                if (!(item instanceof Event.ChildStats || item instanceof Event.WatchdogDue || item instanceof Event.ReapOrphans)) {
                    file.offer(current.exportState(), listeners);
                }
            });
            supervisorRef.set(supervisor);
            installSignals(loop);
            LOG.info("batond pid={} handoff={} control={}{}{} ready-timeout={} drain-timeout={} start-priority={} child: {}",
                    pid, handoff.socketPath(), control.path(),
                    metrics != null ? " metrics=http://" + Addresses.format(new java.net.InetSocketAddress(config.metrics().getAddress(), metrics.port())) + "/metrics" : "",
                    watchdog.map(p -> " watchdog every " + Durations.format(p)).orElse(""),
                    Durations.format(config.readyTimeout()),
                    Durations.format(config.drainTimeout())
                            + (config.minReady().isZero() ? "" : " min-ready=" + Durations.format(config.minReady()))
                            + " drain-priority=" + actions.drainPriority(),
                    startPriority.mechanism(), String.join(" ", config.command()));
            if (resumed != null) {
                supervisor.resumed();
            } else if (saved != null) {
                supervisor.recovered();
            } else {
                supervisor.start();
            }
            stateFile.offer(supervisor.exportState(), listeners);
            exitCode = loop.run(supervisor);
            return exitCode;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            if (stateFile != null) {
                // Every generation drained: no child is left for a later batond to find. Any other end keeps it.
                stateFile.close(exitCode == 0);
            }
            if (metrics != null) {
                metrics.close();
            }
            if (control != null) {
                control.close();
            }
            if (handoff != null) {
                handoff.close();
            }
            listeners.forEach(l -> nat.close(l.fd()));
        }
    }

    /**
     * {@code --check-only=STATE_VERSION ARGS}: what an upgrade asks of the image it is about to exec.
     * Parses the arguments, loads the native layer, says whether this image reads the state's
     * version, prints its version and JVM, and exits: 0 when it could take over, else 1 (2 for
     * arguments it refuses), with one line of why.
     */
    static int checkOnly(String[] args) {
        String version = args[0].substring(ImageCommand.CHECK_ONLY.length());
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        try {
            if (Options.parse(rest, new java.io.PrintStream(java.io.OutputStream.nullOutputStream())) == null) {
                return usageError("--check-only with --help or --version: nothing to check");
            }
        } catch (IllegalArgumentException e) {
            return usageError(e.getMessage());
        }
        Optional<String> platform = NativePlatform.refusal();
        if (platform.isPresent()) {
            System.err.println("batond: " + platform.get());
            return 1;
        }
        new LibcNative().uid(); // jffi and libc load, as they must for the real start
        Optional<String> sr = SrSignal.problem(System.getenv("_JAVA_SR_SIGNUM"));
        if (sr.isPresent()) {
            return usageError(sr.get());
        }
        int stateVersion;
        try {
            stateVersion = Integer.parseInt(version);
        } catch (NumberFormatException e) {
            return usageError("--check-only needs a state version, not '" + version + "'");
        }
        if (!StateCodec.reads(stateVersion)) {
            System.err.println("batond: cannot read batond state version " + stateVersion
                    + " (this batond " + Version.number() + " reads versions " + StateCodec.versionsRead() + ")");
            return 1;
        }
        System.out.println(NewImageCheck.ANSWER + "version=" + Version.number() + " java="
                + System.getProperty("java.version") + " vm=" + System.getProperty("java.vm.name"));
        return 0;
    }

    /**
     * The generations the state file recorded alive whose process still runs: the same pid with the
     * same start time (a pid alone may name another process by now). Their start times go to
     * {@code startTimes}, by pid.
     */
    static java.util.Set<Integer> stillRunning(dev.baton.supervisor.upgrade.SavedState saved, Map<Long, Long> startTimes) {
        java.util.Set<Integer> running = new java.util.TreeSet<>();
        for (dev.baton.supervisor.lifecycle.LifecycleState.GenerationRecord g : saved.lifecycle().generations()) {
            if (!saved.lifecycle().alive().contains(g.number())) {
                continue;
            }
            Optional<dev.baton.supervisor.os.ProcStat> stat = dev.baton.supervisor.os.ProcStat.of(Path.of("/proc"), g.pid());
            Long recorded = saved.startTimes().get(g.number());
            if (stat.isPresent() && (recorded == null || recorded == stat.get().startTime())) {
                running.add(g.number());
                startTimes.put(g.pid(), stat.get().startTime());
            }
        }
        return running;
    }

    /** The cgroup v2 start priority when --start-nice is on and a delegated subtree allows it; else null, logged why. */
    private static CgroupCpuWeight startCgroup(int startNice, long pid) {
        if (startNice == 0) {
            return null;
        }
        CgroupCpuWeight.Setup setup = CgroupCpuWeight.setUp(Path.of("/sys/fs/cgroup"), Path.of("/proc"), pid);
        if (setup.cgroup() != null) {
            LOG.info("start priority through cgroup v2: batond in {}/batond, each generation in {}/gen-N, "
                    + "a reload's new one at cpu.weight {} until READY", setup.cgroup().subtree(), setup.cgroup().subtree(),
                    CgroupCpuWeight.LOW);
            return setup.cgroup();
        }
        if (setup.failed()) {
            LOG.warn("cgroup v2 cpu.weight not used, nice instead: {}", setup.why());
        } else {
            LOG.info("cgroup v2 cpu.weight not available, nice instead: {}", setup.why());
        }
        return null;
    }

    private static int usageError(String message) {
        System.err.println("batond: " + message);
        return 2;
    }

    private static Path handoffParent(Config config) {
        if (config.handoffDir() != null) {
            return config.handoffDir();
        }
        for (String var : List.of("RUNTIME_DIRECTORY", "XDG_RUNTIME_DIR")) {
            String dir = System.getenv(var);
            if (dir != null && !dir.isEmpty()) {
                // systemd may list several directories separated by ':'
                return Path.of(dir.split(":")[0]);
            }
        }
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** Handlers only enqueue: all work happens on the loop. */
    private static void installSignals(EventLoop loop) {
        Signal.handle(new Signal("USR2"), s -> loop.post(new Event.ReloadRequested("SIGUSR2")));
        Signal.handle(new Signal("HUP"), s -> loop.post(new Event.ReloadRequested("SIGHUP")));
        Signal.handle(new Signal("TERM"), s -> loop.post(new Event.ShutdownRequested("SIGTERM")));
        Signal.handle(new Signal("INT"), s -> loop.post(new Event.ShutdownRequested("SIGINT")));
    }
}
