package dev.baton.supervisor.lifecycle;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static dev.baton.supervisor.lifecycle.Event.Deadline.Kind.DRAIN;
import static dev.baton.supervisor.lifecycle.Event.Deadline.Kind.KILL;
import static dev.baton.supervisor.lifecycle.Event.Deadline.Kind.MIN_READY;
import static dev.baton.supervisor.lifecycle.Event.Deadline.Kind.READY;

/**
 * The lifecycle of batond's generations: a state machine driven by {@link Event}s and by the
 * control commands, on the loop thread only (no locks), acting on the world through
 * {@link Actions}. It knows no wire format, no JSON and no system call.
 *
 * <p><b>Invariant</b>, kept by {@link #startGeneration} and {@link #startReload}: at most one
 * generation SERVING ({@link #serving}), at most one STARTING, CONNECTED or PROVING
 * ({@link #starting}: the reload or restart in progress; a PROVING one is READY but its
 * --min-ready window has not ended, so the old generation still serves beside it), and at most
 * {@code --max-draining} DRAINING: a reload that would exceed it waits in the {@link ReloadQueue}.
 */
public final class Supervisor {
    private static final Logger LOG = LoggerFactory.getLogger("batond");

    /** How long a child that failed to become ready gets between SIGTERM and SIGKILL. */
    public static final Duration FAILED_START_GRACE = Duration.ofSeconds(5);
    /**
     * Longest a new generation keeps the low start priority: on a machine whose CPU the serving
     * generation keeps busy, a niced start could take minutes, or miss --ready-timeout. So the
     * priority comes back at READY, or after a quarter of --ready-timeout, at most this long.
     */
    public static final Duration LOW_PRIORITY_MAX = Duration.ofSeconds(2);
    /** How many exited generations status keeps showing. */
    static final int EXITED_SHOWN = 5;
    /**
     * How long a batond started after one that died waits for that one's children to reconnect
     * (they retry every 250 ms to 5 s); those that have not by then are shown as orphaned.
     */
    public static final Duration READOPT_WINDOW = Duration.ofSeconds(10);

    private final Settings settings;
    private final Actions actions;
    private final Monitor monitor;
    final Reloads reloads;
    final ReloadQueue queue = new ReloadQueue();
    final RestartBackoff backoff;
    final ChildSessions sessions;
    final Instant startedAt;

    /** The upgrade asked for and not ended yet (waiting for a start, checking, replacing); null when none. */
    UpgradeSnapshot upgrading;
    private final List<Consumer<UpgradeSnapshot>> upgradeWaiters = new ArrayList<>();
    /** The last upgrade that ended, for status; null when none did. */
    private UpgradeSnapshot lastUpgrade;
    /** Upgrades this process has been through (each image adds its own). */
    int upgrades;

    final Map<Integer, Generation> alive = new LinkedHashMap<>();
    /** Recently exited generations, newest last, for status. */
    final Deque<Generation> exitedRecently = new ArrayDeque<>();
    Generation serving;
    Generation starting;
    int nextGeneration = 1;
    /** The reload whose new generation is starting, and the reloads whose old generation drains. */
    Reload reloadStarting;
    final Map<Integer, Reload> reloadByOldGeneration = new HashMap<>();

    /** False from a restart after batond died until it holds the listeners again: no generation starts meanwhile. */
    private boolean listenersHeld = true;
    /** The re-adopted child's connection asked for the listeners, or -1. */
    private int listenersAskedOf = -1;
    /** The re-adopt window is open. */
    private boolean readopting;

    private boolean shuttingDown;
    private boolean exited;
    /** Every generation alive when the shutdown began: what stop --wait reports. */
    private final List<Generation> stoppedGenerations = new ArrayList<>();
    private final List<Consumer<ShutdownOutcome>> stopWaiters = new ArrayList<>();

    public Supervisor(Settings settings, Actions actions, int ownUid) {
        this(settings, actions, ownUid, Monitor.NONE);
    }

    public Supervisor(Settings settings, Actions actions, int ownUid, Monitor monitor) {
        this.settings = settings;
        this.actions = actions;
        this.monitor = monitor;
        this.reloads = new Reloads(monitor);
        this.backoff = new RestartBackoff(settings.restartBackoffMin(), settings.restartBackoffMax());
        this.sessions = new ChildSessions(ownUid, actions, monitor, new SessionTransitions());
        this.startedAt = actions.now();
    }

    private Supervisor(Settings settings, Actions actions, int ownUid, Monitor monitor, Instant startedAt) {
        this.settings = settings;
        this.actions = actions;
        this.monitor = monitor;
        this.reloads = new Reloads(monitor);
        this.backoff = new RestartBackoff(settings.restartBackoffMin(), settings.restartBackoffMax());
        this.sessions = new ChildSessions(ownUid, actions, monitor, new SessionTransitions());
        this.startedAt = startedAt;
    }

    /** Starts generation 1. */
    public void start() {
        startGeneration();
    }

    public void handle(Event event) {
        if (exited) {
            return;
        }
        // Java 17 has no pattern switch outside preview: one instanceof per event kind.
        if (event instanceof Event.ReloadRequested e) {
            reload(e.source());
        } else if (event instanceof Event.ShutdownRequested e) {
            stop(e.source());
        } else if (event instanceof Event.ChildExited e) {
            onChildExited(e);
        } else if (event instanceof Event.HandoffConnected e) {
            sessions.onConnected(e);
        } else if (event instanceof Event.ChildHello e) {
            sessions.onHello(e);
        } else if (event instanceof Event.ChildReady e) {
            sessions.onReady(e);
        } else if (event instanceof Event.ChildNotReady e) {
            sessions.onNotReady(e);
        } else if (event instanceof Event.ChildStats e) {
            sessions.onStats(e);
        } else if (event instanceof Event.ChildDrained e) {
            sessions.onDrained(e);
        } else if (event instanceof Event.ChildSentUnknown e) {
            sessions.onUnknownFrame(e);
        } else if (event instanceof Event.HandoffClosed e) {
            sessions.onClosed(e.connection(), e.reason());
            if (e.connection() == listenersAskedOf) {
                listenersAskedOf = -1;
                LOG.warn("the connection asked for the listeners closed before it answered ({})", e.reason());
                askAnotherForListeners();
            }
        } else if (event instanceof Event.ListenersReturned e) {
            onListenersReturned(e);
        } else if (event instanceof Event.ReadoptWindowEnded) {
            onReadoptWindowEnded();
        } else if (event instanceof Event.Deadline e) {
            onDeadline(e);
        } else if (event instanceof Event.UpgradeChecked e) {
            onUpgradeChecked(e);
        } else if (event instanceof Event.ReplaceImage) {
            onReplaceImage();
        } else if (event instanceof Event.RestartDue) {
            onRestartDue();
        } else if (event instanceof Event.WatchdogDue) {
            if (serving != null && !shuttingDown) {
                actions.serviceManager().watchdog(); // only while a child really serves
            }
        } else if (event instanceof Event.ReapOrphans) {
            // On the loop, so no generation can be spawned between listing pids and reaping.
            Set<Long> pids = new HashSet<>();
            alive.values().forEach(g -> pids.add(g.pid));
            actions.reapOrphans(pids);
        }
    }

    // --- what the control commands ask ------------------------------------------------------

    /** A reload (SIGUSR2, SIGHUP, batonctl): runs now, or once after the one under way. */
    public void reload(String source) {
        if (shuttingDown) {
            LOG.info("reload requested ({}) ignored: shutting down", source);
            return;
        }
        if (upgrading != null) {
            if (!queue.add(source)) {
                LOG.info("reload requested ({}): queued after the upgrade of batond", source);
            }
            return;
        }
        if (!listenersHeld) {
            if (!queue.add(source)) {
                LOG.info("reload requested ({}): queued until batond holds the listeners again", source);
            }
            return;
        }
        if (starting != null) {
            if (!queue.add(source)) {
                LOG.info("reload requested ({}): queued after {} {}", source, starting,
                        starting.phase() == Phase.PROVING ? "ends its --min-ready window" : "finishes starting");
            }
            return;
        }
        LOG.info("reload requested ({})", source);
        startReload(source);
    }

    /** As {@link #reload}, and {@code whenEnded} hears how the reload it starts (or joins) ended. */
    public void reloadAndWait(String source, Consumer<ReloadSnapshot> whenEnded) {
        reloads.waitForNext(whenEnded);
        reload(source);
    }

    /** SIGTERM, SIGINT, batonctl stop: every generation drains, then batond exits 0. */
    public void stop(String source) {
        if (shuttingDown) {
            LOG.info("shutdown requested ({}) again: already shutting down, {} generation(s) left", source, alive.size());
            return;
        }
        shuttingDown = true;
        queue.clear();
        if (upgrading != null && upgrading.outcome() != UpgradeSnapshot.Outcome.REPLACING) {
            endUpgrade(UpgradeSnapshot.Outcome.REFUSED, "batond is shutting down (" + source + ")");
        }
        LOG.info("shutdown requested ({}): draining {} generation(s)", source, alive.size());
        actions.serviceManager().stopping("stopping: draining " + alive.size() + " generation(s)",
                settings.drainTimeout().plus(FAILED_START_GRACE));
        stoppedGenerations.addAll(alive.values());
        for (Generation g : alive.values()) {
            if (g.phase() == Phase.SERVING || g.phase() == Phase.PROVING || g.phase() == Phase.STARTING
                    || g.phase() == Phase.CONNECTED) {
                drain(g, "shutdown");
            }
        }
        // After the drains, so the aborted reloads' evidence shows the old generation draining.
        reloads.abortAll("batond is shutting down (" + source + ")", actions.now(), actions.listenCounters());
        reloadStarting = null;
        reloadByOldGeneration.clear();
        starting = null;
        serving = null;
        if (alive.isEmpty()) {
            finish();
        }
    }

    /** As {@link #stop}, and {@code whenStopped} hears how every generation ended. */
    public void stopAndWait(String source, Consumer<ShutdownOutcome> whenStopped) {
        stopWaiters.add(whenStopped);
        stop(source);
    }

    public boolean shuttingDown() {
        return shuttingDown;
    }

    public int liveGenerations() {
        return alive.size();
    }

    // --- upgrades of batond itself --------------------------------------------------------

    /**
     * Replaces batond's own image ({@code batonctl upgrade}): the new image is checked first, then
     * the state goes to it and batond execs it. {@code whenDecided} hears once: the refusal, or that
     * the check passed and the new image is about to take over (its end is the new image's to tell).
     * An upgrade asked for while a generation starts waits for that start to end; a reload asked for
     * during an upgrade runs after it.
     */
    public void upgrade(String source, Consumer<UpgradeSnapshot> whenDecided) {
        if (shuttingDown) {
            BatondImage image = actions.image();
            whenDecided.accept(new UpgradeSnapshot(UpgradeSnapshot.Outcome.REFUSED, "batond is shutting down", source,
                    actions.now(), actions.now(), image.version(), image.jvm(), null, null));
            return;
        }
        if (readopting || !listenersHeld) {
            BatondImage image = actions.image();
            whenDecided.accept(new UpgradeSnapshot(UpgradeSnapshot.Outcome.REFUSED,
                    "batond is re-adopting the children of the batond that died: try again in " + Durations.format(READOPT_WINDOW),
                    source, actions.now(), actions.now(), image.version(), image.jvm(), null, null));
            return;
        }
        upgradeWaiters.add(whenDecided);
        if (upgrading != null) {
            LOG.info("upgrade requested ({}): joins the one under way ({})", source, upgrading.outcome().label());
            return;
        }
        BatondImage image = actions.image();
        upgrading = new UpgradeSnapshot(UpgradeSnapshot.Outcome.WAITING, "", source, actions.now(), null,
                image.version(), image.jvm(), null, null);
        if (starting != null) {
            LOG.info("upgrade requested ({}): waits until {} has {}", source, starting,
                    starting.phase() == Phase.PROVING ? "ended its --min-ready window" : "finished starting");
            return;
        }
        checkUpgrade();
    }

    private void checkUpgrade() {
        upgrading = upgrading.with(UpgradeSnapshot.Outcome.CHECKING, "", null);
        LOG.info("upgrade of batond {} ({}): checking the new image", upgrading.fromVersion(), upgrading.source());
        actions.checkNewImage();
    }

    private void onUpgradeChecked(Event.UpgradeChecked e) {
        if (upgrading == null || upgrading.outcome() != UpgradeSnapshot.Outcome.CHECKING) {
            return;
        }
        upgrading = upgrading.to(e.version(), e.jvm());
        if (!e.passed()) {
            LOG.warn("upgrade refused: {}; batond {} keeps running", e.reason(), upgrading.fromVersion());
            endUpgrade(UpgradeSnapshot.Outcome.REFUSED, e.reason());
            return;
        }
        upgrading = upgrading.with(UpgradeSnapshot.Outcome.REPLACING, "", null);
        LOG.info("upgrade: the new image is batond {} on java {}; replacing batond {} on java {}",
                e.version(), e.jvm(), upgrading.fromVersion(), upgrading.fromJvm());
        actions.holdHandoff(true);
        UpgradeSnapshot decided = upgrading;
        upgradeWaiters.forEach(w -> w.accept(decided));
        upgradeWaiters.clear();
        // Through the queue: what arrived before (a child's frames, an exit) is handled, and exported, first.
        actions.schedule(Duration.ZERO, new Event.ReplaceImage());
    }

    private void onReplaceImage() {
        if (upgrading == null || upgrading.outcome() != UpgradeSnapshot.Outcome.REPLACING) {
            return;
        }
        if (shuttingDown) {
            actions.holdHandoff(false);
            endUpgrade(UpgradeSnapshot.Outcome.FAILED, "batond is shutting down");
            return;
        }
        try {
            actions.replaceImage(exportState());
        } catch (IOException | RuntimeException e) {
            actions.holdHandoff(false);
            LOG.error("upgrade failed: {}; batond {} keeps running", e.getMessage(), upgrading.fromVersion());
            endUpgrade(UpgradeSnapshot.Outcome.FAILED, String.valueOf(e.getMessage()));
        }
    }

    /** The upgrade ended here (refused or failed): nothing changed; what waited for it runs. */
    private void endUpgrade(UpgradeSnapshot.Outcome outcome, String reason) {
        lastUpgrade = upgrading.with(outcome, reason, actions.now());
        upgrading = null;
        UpgradeSnapshot ended = lastUpgrade;
        upgradeWaiters.forEach(w -> w.accept(ended));
        upgradeWaiters.clear();
        if (serving != null && !shuttingDown) {
            notifyServing("last upgrade " + outcome.label() + ": " + reason);
        }
        if (!shuttingDown && starting == null && serving != null && queue.isQueued()) {
            LOG.info("running the reload queued during the upgrade");
            startReload(queue.take());
        }
    }

    /** The last upgrade that ended, or the one under way; null when none was asked for. */
    public UpgradeSnapshot upgradeInProgressOrLast() {
        return upgrading != null ? upgrading : lastUpgrade;
    }

    /** Everything the next image of batond needs to carry on from here. */
    public LifecycleState exportState() {
        return StateTransfer.export(this);
    }

    /**
     * A supervisor that carries on from the state another image of batond left: the same
     * generations (their handoff connections already said HELLO), reloads, backoff and queued
     * reload. Call {@link #resumed} once the descriptors are in place.
     *
     * @throws IllegalArgumentException when the state does not hang together
     */
    public static Supervisor resume(Settings settings, Actions actions, int ownUid, Monitor monitor, LifecycleState state) {
        Supervisor s = new Supervisor(settings, actions, ownUid, monitor, state.startedAt());
        StateTransfer.restore(s, state);
        return s;
    }

    Instant actionsNow() {
        return actions.now();
    }

    /** Set by {@link #resume} for {@link #resumed}. */
    Instant resumedBackoff;
    UpgradeSnapshot resumedFrom;

    /**
     * The descriptors are in place and every live child is watched again: the deadlines the old
     * image had set are set again (past ones fire at once), the upgrade is recorded as done, and
     * a reload queued during it runs.
     */
    public void resumed() {
        Instant now = actions.now();
        scheduleDeadlines(now);
        if (resumedBackoff != null) {
            actions.schedule(until(now, resumedBackoff), new Event.RestartDue());
        }
        BatondImage image = actions.image();
        upgrades++;
        if (resumedFrom != null) {
            lastUpgrade = new UpgradeSnapshot(UpgradeSnapshot.Outcome.SUCCEEDED, "", resumedFrom.source(),
                    resumedFrom.requestedAt(), now, resumedFrom.fromVersion(), resumedFrom.fromJvm(), image.version(), image.jvm());
            LOG.info("upgraded batond {} -> {} (java {} -> {}) in {} ms; {} live generation(s) carried over",
                    lastUpgrade.fromVersion(), image.version(), lastUpgrade.fromJvm(), image.jvm(),
                    lastUpgrade.duration().toMillis(), alive.size());
        }
        if (serving != null) {
            notifyServing("upgraded batond " + (lastUpgrade != null ? lastUpgrade.fromVersion() : "?") + " -> " + image.version());
        } else if (starting == null && resumedBackoff == null) {
            scheduleRestart(); // nothing serves, starts or waits to start: as after a death
        }
        if (!shuttingDown && starting == null && serving != null && queue.isQueued()) {
            LOG.info("running the reload queued during the upgrade");
            startReload(queue.take());
        }
    }

    /** The deadlines the state records are set again; past ones fire at once. */
    private void scheduleDeadlines(Instant now) {
        for (Generation g : alive.values()) {
            GenerationState st = g.state();
            if (st instanceof GenerationState.Starting x) {
                actions.schedule(until(now, x.readyDeadline()), new Event.Deadline(g.number, READY));
            } else if (st instanceof GenerationState.Connected x) {
                actions.schedule(until(now, x.readyDeadline()), new Event.Deadline(g.number, READY));
            } else if (st instanceof GenerationState.Proving x) {
                actions.schedule(until(now, x.until()), new Event.Deadline(g.number, MIN_READY));
            } else if (st instanceof GenerationState.Draining x) {
                actions.schedule(until(now, x.deadline()), new Event.Deadline(g.number, DRAIN));
            } else if (st instanceof GenerationState.Killing x) {
                actions.schedule(until(now, x.deadline()), new Event.Deadline(g.number, KILL));
            }
        }
    }

    // --- after batond died: re-adopting its children ------------------------------------------

    /**
     * A supervisor that carries on from the state file a batond that died left. Of the generations
     * it recorded alive, those in {@code running} (the same processes still run) wait to be
     * re-adopted; the others are recorded as exited with an unknown code. Call {@link #recovered}
     * once the handoff socket is open.
     *
     * @throws IllegalArgumentException when the state does not hang together
     */
    public static Supervisor recover(Settings settings, Actions actions, int ownUid, Monitor monitor, LifecycleState state,
                                     Set<Integer> running) {
        Supervisor s = new Supervisor(settings, actions, ownUid, monitor, state.startedAt());
        StateTransfer.restoreAfterCrash(s, state, running);
        return s;
    }

    /**
     * The children of the batond that died get {@link #READOPT_WINDOW} to reconnect; no generation
     * starts until batond holds the listeners again (taken back from the first child that
     * reconnects, or bound when none can give them). A generation that was starting when batond
     * died is stopped: what it was told, and whether it was ready, died with batond.
     */
    public void recovered() {
        Instant now = actions.now();
        listenersHeld = false;
        List<Generation> waiting = new ArrayList<>();
        for (Generation g : new ArrayList<>(alive.values())) {
            g.adopted = true;
            actions.watchAdopted(g.number, g.pid);
            if (g.phase() == Phase.SERVING) {
                g.readopting = true;
                waiting.add(g);
            }
        }
        scheduleDeadlines(now);
        for (Integer old : new ArrayList<>(reloadByOldGeneration.keySet())) {
            if (!alive.containsKey(old)) {
                endSucceeded(reloadByOldGeneration.remove(old)); // its old generation ended while no batond watched
            }
        }
        if (reloadStarting != null && !alive.containsKey(reloadStarting.fresh.number)) {
            Reload r = reloadStarting;
            reloadStarting = null;
            endReload(r, Reload.Outcome.FAILED, "batond died during it");
        }
        if (starting != null) {
            Generation g = starting;
            failStart(g, "batond died while it started");
        }
        if (waiting.isEmpty()) {
            LOG.info("no child of the batond that died serves any more: taking the listeners as at a first start");
            takeListenersWithoutChild();
            return;
        }
        readopting = true;
        LOG.info("waiting up to {} for {} to reconnect", Durations.format(READOPT_WINDOW),
                String.join(", ", waiting.stream().map(Generation::toString).toList()));
        actions.schedule(READOPT_WINDOW, new Event.ReadoptWindowEnded());
    }

    private void onReadopted(Generation g, int connection) {
        if (g.orphanedSince != null) {
            LOG.info("{} re-adopted late (orphaned since {}), connection {}", g, g.orphanedSince, connection);
            g.orphanedSince = null;
        } else {
            LOG.info("{} re-adopted (phase {}, connection {})", g, g.phase(), connection);
        }
        if (!listenersHeld && listenersAskedOf < 0) {
            askForListeners(g);
        }
        if (alive.values().stream().noneMatch(x -> x.readopting)) {
            readopting = false;
        }
    }

    private void askForListeners(Generation g) {
        try {
            actions.requestListeners(g.connection);
            listenersAskedOf = g.connection;
            LOG.info("asked {} for the listeners it holds", g);
        } catch (IOException e) {
            LOG.warn("cannot ask {} for the listeners: {}", g, e.getMessage());
        }
    }

    /** The one asked did not answer: the next re-adopted child, else (none left to wait for) bind. */
    private void askAnotherForListeners() {
        if (listenersHeld) {
            return;
        }
        for (Generation g : alive.values()) {
            if (g.adopted && !g.readopting && g.connection >= 0) {
                askForListeners(g);
                if (listenersAskedOf >= 0) {
                    return;
                }
            }
        }
        if (alive.values().stream().noneMatch(x -> x.readopting)) {
            takeListenersWithoutChild();
        }
    }

    private void onListenersReturned(Event.ListenersReturned e) {
        boolean wanted = !listenersHeld && e.connection() == listenersAskedOf;
        String taken = actions.takeListeners(e.names(), e.addresses(), e.fds(), wanted);
        if (!wanted) {
            return;
        }
        listenersAskedOf = -1;
        LOG.info("listeners taken back from the re-adopted child: {}", taken.isEmpty() ? "none" : taken);
        takeListenersWithoutChild();
    }

    /** Binds what no child gave back; then batond may start generations again. */
    private void takeListenersWithoutChild() {
        Set<Long> suspects = new HashSet<>();
        alive.values().forEach(g -> {
            suspects.add(g.pid);
            if (g.servicePid > 0) {
                suspects.add(g.servicePid);
            }
        });
        Optional<String> failure = actions.bindMissingListeners(suspects);
        if (failure.isPresent()) {
            List<Generation> orphans = alive.values().stream().filter(g -> g.orphanedSince != null).toList();
            if (orphans.isEmpty() || shuttingDown) {
                LOG.error("cannot hold the listeners: {}; batond exits (its children, if any, go on serving)", failure.get());
                exited = true;
                actions.exit(1);
            } else {
                // The orphans serve on that port: batond stays to show them, and binds once they are gone.
                LOG.error("cannot hold the listeners: {}; orphaned {} may hold them: no generation starts until they "
                        + "reconnect or exit (batonctl stop drains them)", failure.get(),
                        String.join(", ", orphans.stream().map(Generation::toString).toList()));
            }
            return;
        }
        listenersHeld = true;
        if (shuttingDown) {
            return;
        }
        if (serving == null && starting == null) {
            startGeneration();
        } else if (starting == null && serving != null && queue.isQueued()) {
            LOG.info("running the reload queued while batond took the listeners back");
            startReload(queue.take());
        }
        if (serving != null) {
            notifyServing("re-adopted after batond restarted");
        }
    }

    private void onReadoptWindowEnded() {
        readopting = false;
        Instant now = actions.now();
        for (Generation g : alive.values()) {
            if (g.readopting) {
                g.readopting = false;
                g.orphanedSince = now;
                LOG.warn("{} did not reconnect within {}: orphaned (it may go on serving on the listeners it holds; "
                        + "a reload or stop still signals it)", g, Durations.format(READOPT_WINDOW));
            }
        }
        if (!listenersHeld && listenersAskedOf < 0) {
            takeListenersWithoutChild();
        } else if (!listenersHeld) {
            LOG.warn("the child asked for the listeners has not answered within {}: binding them", Durations.format(READOPT_WINDOW));
            listenersAskedOf = -1;
            takeListenersWithoutChild();
        }
    }

    private static Duration until(Instant now, Instant deadline) {
        Duration d = Duration.between(now, deadline);
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** Everything {@code batonctl status} shows, as it is now. */
    public SupervisorSnapshot snapshot() {
        Map<String, Long> queues = actions.acceptQueues();
        List<SupervisorSnapshot.ListenerState> listeners = new ArrayList<>();
        for (Listener l : actions.listeners()) {
            listeners.add(new SupervisorSnapshot.ListenerState(l.name(), l.address(), l.fd(), queues.getOrDefault(l.name(), -1L)));
        }
        List<GenerationSnapshot> generations = new ArrayList<>();
        exitedRecently.forEach(g -> generations.add(g.snapshot()));
        alive.values().forEach(g -> generations.add(g.snapshot()));
        return new SupervisorSnapshot(ProcessHandle.current().pid(), startedAt, actions.now(),
                shuttingDown ? "stopping" : serving != null ? "serving" : "starting",
                serving != null ? serving.number : null, backoff.restarts(), settings.command(),
                serving == null && !shuttingDown ? backoff.failing() : null, listeners, actions.listenCounters(),
                generations, reloads.recent(), actions.logLinesDropped(), actions.image(), upgrades,
                upgradeInProgressOrLast(), actions.startPriority().mechanism(), actions.drainPriority());
    }

    // --- reloads -------------------------------------------------------------------------

    /** Replaces the serving generation; without one (it died, a restart is pending) this is a plain start. */
    private void startReload(String source) {
        if (!listenersHeld) {
            queue.add(source); // runs once batond holds the listeners again (takeListenersWithoutChild)
            return;
        }
        if (serving == null) {
            Reload reload = openReload(source);
            Generation g = startGeneration();
            if (g == null) {
                endReload(reload, Reload.Outcome.FAILED, "cannot start " + settings.command().get(0));
            } else {
                reload.fresh = g;
                reloadStarting = reload;
            }
            return;
        }
        long draining = alive.values().stream().filter(g -> g.phase() == Phase.DRAINING).count();
        if (draining >= settings.maxDraining()) {
            LOG.info("reload waits: {} old generation(s) still draining (--max-draining {})",
                    draining, settings.maxDraining());
            queue.add(source);
            return;
        }
        Reload reload = openReload(source);
        reload.old = serving;
        if (settings.memoryCheck()) {
            Optional<String> shortfall = actions.memoryShortfall(serving.pid);
            if (shortfall.isPresent()) {
                LOG.warn("reload refused: {} (--no-memory-check turns this check off)", shortfall.get());
                endReload(reload, Reload.Outcome.REFUSED, shortfall.get());
                return;
            }
        }
        actions.serviceManager().reloading("reloading: starting gen=" + nextGeneration + ", gen=" + serving.number + " serves");
        Generation g = startGeneration();
        if (g == null) {
            String reason = "cannot start " + settings.command().get(0);
            endReload(reload, Reload.Outcome.FAILED, reason);
            notifyServing("last reload failed: " + reason);
            return;
        }
        reload.fresh = g;
        reloadStarting = reload;
    }

    /** A reload begins: the kernel's drop counters are read now, so its evidence always has a before. */
    private Reload openReload(String source) {
        Reload reload = reloads.open(source, actions.now());
        reload.countersBefore = actions.listenCounters();
        return reload;
    }

    /** Every way a reload ends reads the counters again: failed and aborted ones show their delta too. */
    private void endReload(Reload reload, Reload.Outcome outcome, String reason) {
        reloads.end(reload, outcome, reason, actions.now(), actions.listenCounters());
    }

    /** Spawns the next generation; null when it could not even be started. */
    private Generation startGeneration() {
        int number = nextGeneration++;
        String token = actions.newToken();
        // Beside a serving generation, the new one starts at low priority and gets it back at READY;
        // when nothing serves (the first start, a restart after a crash) it starts at full speed.
        boolean low = serving != null && actions.startPriority().on();
        long pid;
        try {
            pid = actions.spawn(number, token, low);
        } catch (IOException e) {
            LOG.error("{} of gen={} failed: cannot start {}: {}", serving != null ? "reload" : "start",
                    number, settings.command().get(0), e.getMessage());
            backoff.failed("gen=" + number + ": cannot start " + settings.command().get(0) + ": " + e.getMessage());
            if (serving == null) {
                scheduleRestart();
            }
            return null;
        }
        Instant now = actions.now();
        Generation g = new Generation(number, token, pid, now, new GenerationState.Starting(now.plus(settings.readyTimeout())));
        g.startPriority = low ? StartPriority.LOW : null;
        alive.put(number, g);
        starting = g;
        LOG.info("{} spawned", g);
        actions.schedule(settings.readyTimeout(), new Event.Deadline(number, READY));
        if (low) {
            actions.schedule(lowWindow(), new Event.Deadline(number, Event.Deadline.Kind.PRIORITY));
        }
        // A slow child may take up to --ready-timeout: let systemd's start/reload timeout wait that long.
        actions.serviceManager().extendTimeout(settings.readyTimeout().plus(FAILED_START_GRACE));
        return g;
    }

    /**
     * {@code g} will not serve: it is no longer the generation starting, and the reload that
     * started it fails with {@code reason}. True when there was such a reload.
     */
    private boolean endStart(Generation g, String reason) {
        if (starting == g) {
            starting = null;
        }
        if (reloadStarting == null || reloadStarting.fresh != g) {
            return false;
        }
        Reload reload = reloadStarting;
        reloadStarting = null;
        endReload(reload, Reload.Outcome.FAILED, reason);
        return true;
    }

    /** The new generation will not serve: stop it and keep the serving one. */
    private void failStart(Generation g, String reason) {
        LOG.warn("{} to gen={} failed: {}", serving != null ? "reload" : "start", g.number, reason);
        backoff.failed("gen=" + g.number + " " + reason);
        if (endStart(g, reason) && serving != null) {
            notifyServing("last reload (gen=" + g.number + ") failed: " + reason);
        }
        if (g.alive()) {
            Instant now = actions.now();
            actions.signal(g.pid, Sig.TERM);
            g.moveTo(new GenerationState.Killing(now.plus(FAILED_START_GRACE), reason),
                    "killing: SIGTERM sent, SIGKILL in " + Durations.format(FAILED_START_GRACE));
            actions.schedule(FAILED_START_GRACE, new Event.Deadline(g.number, KILL));
        }
        afterStartEnded();
    }

    /** A start ended (ready or failed): run what waited for it. */
    private void afterStartEnded() {
        if (shuttingDown) {
            return;
        }
        if (upgrading != null && upgrading.outcome() == UpgradeSnapshot.Outcome.WAITING) {
            checkUpgrade(); // the upgrade asked for during this start; a queued reload runs after it
            if (serving == null) {
                scheduleRestart();
            }
            return;
        }
        if (serving == null) {
            scheduleRestart();
        } else if (queue.isQueued()) {
            LOG.info("running the queued reload");
            startReload(queue.take());
        }
    }

    /**
     * READY: with a generation serving and --min-ready, the new one proves itself beside it first
     * (nothing is signalled); otherwise it serves now.
     */
    private void onReady(Generation g) {
        g.readyAt = actions.now();
        // At READY, before the old generation is signalled (now or after --min-ready): the new one carries load from here on.
        // Restored already (its low window ran out, or nothing served): not again, see restorePriority.
        restorePriority(g);
        // The child's own clock: a warm-up longer than its whole start (a lying child, a clock step) is cut to it.
        g.warmupMs = Math.max(0, Math.min(g.warmupMs, Duration.between(g.spawnedAt, g.readyAt).toMillis()));
        Duration window = settings.minReady();
        if (serving == null || window.isZero()) {
            becomeServing(g);
            return;
        }
        Instant until = g.readyAt.plus(window);
        g.moveTo(new GenerationState.Proving(until), readyIn(g) + "; proving for --min-ready " + Durations.format(window) + " beside " + serving + ", which is not signalled yet");
        actions.schedule(window, new Event.Deadline(g.number, MIN_READY));
        actions.serviceManager().extendTimeout(window.plus(FAILED_START_GRACE));
        actions.serviceManager().status("reloading: gen=" + g.number + " ready, proving for " + Durations.format(window)
                + " beside gen=" + serving.number);
    }

    /**
     * Inside its --min-ready window the new generation exited or reported NOT_READY: a rollback.
     * The old generation was never signalled and keeps serving; the new one drains if it lives.
     */
    private void rollBack(Generation g, String reason) {
        LOG.warn("reload to gen={} failed: {}; rolled back: {} keeps serving, it was never signalled", g.number, reason, serving);
        backoff.failed(reason);
        endStart(g, reason);
        if (serving != null) {
            notifyServing("last reload (gen=" + g.number + ") rolled back: " + reason);
        }
        if (g.phase() == Phase.PROVING) {
            actions.lowerDrainPriority(g.number, g.pid); // the serving generation goes on beside it
            drain(g, "rolled back");
        }
        afterStartEnded();
    }

    private void becomeServing(Generation g) {
        becomeServing(g, g.phase() == Phase.PROVING
                ? "serving: its --min-ready " + Durations.format(settings.minReady()) + " window passed"
                : readyIn(g));
    }

    /**
     * "ready in 7s (start 4s, warm-up 3s)": time to READY, split when the child warmed up; and when
     * its start priority was restored before READY, when that was (READY restores nothing then).
     */
    private static String readyIn(Generation g) {
        Duration toReady = Duration.between(g.spawnedAt, g.readyAt);
        return "ready in " + Durations.format(toReady) + (g.warmupMs > 0
                ? " (start " + Durations.format(toReady.minusMillis(g.warmupMs)) + ", warm-up "
                        + Durations.format(Duration.ofMillis(g.warmupMs)) + ")" : "")
                + (g.priorityRestoredAt != null && g.priorityRestoredAt.isBefore(g.readyAt)
                        ? "; start priority already restored at " + Durations.format(Duration.between(g.spawnedAt, g.priorityRestoredAt))
                                + " after spawn, not again" : "");
    }

    private void becomeServing(Generation g, String what) {
        Generation previous = serving;
        g.moveTo(new GenerationState.Serving(), what);
        serving = g;
        starting = null;
        if (previous != null) {
            // First: the old generation's SIGTERM waits for none of what follows (metrics, a full GC in IdleCompaction).
            // Its priority drops before it: the drain, its JIT and the exit must not slow the new one's first requests.
            actions.lowerDrainPriority(previous.number, previous.pid);
            drain(previous, "replaced by gen=" + g.number);
        }
        monitor.serving(g.snapshot());
        Reload reload = reloadStarting != null && reloadStarting.fresh == g ? reloadStarting : null;
        reloadStarting = null;
        if (previous != null) {
            forgetFailuresIfServedLong(previous);
            LOG.info("reload to gen={} complete", g.number);
            if (reload != null) {
                reloadByOldGeneration.put(previous.number, reload);
            }
            notifyServing("last reload: gen=" + g.number + " ready, gen=" + previous.number + " draining");
        } else {
            LOG.info("gen={} serving", g.number);
            if (reload != null) {
                endSucceeded(reload);
            }
            notifyServing(null);
        }
        afterStartEnded();
    }

    /** How long a generation may start at low priority before it gets batond's back anyway. */
    Duration lowWindow() {
        Duration quarter = settings.readyTimeout().dividedBy(4);
        return quarter.compareTo(LOW_PRIORITY_MAX) < 0 ? quarter : LOW_PRIORITY_MAX;
    }

    /**
     * A generation that started at low priority gets batond's back, once: restored early (its low
     * window ran out, or nothing served), READY does not scan /proc again. A second pass would find
     * nothing: the restore repeats its passes until one finds no thread still at the low nice value,
     * and a thread or process created after that was created by a restored thread, whose nice value
     * it takes (see StartNice); what the kernel refused once it refuses again, and the log said so.
     * In a cgroup the one cpu.weight write covers every thread, later ones included.
     */
    private void restorePriority(Generation g) {
        if (StartPriority.LOW.equals(g.startPriority)) {
            actions.restorePriority(g.number, g.pid);
            g.startPriority = StartPriority.RESTORED;
            g.priorityRestoredAt = actions.now();
        }
    }

    /** READY=1 ends systemd's start or reload; its status says who serves now. */
    private void notifyServing(String lastReload) {
        actions.serviceManager().ready("serving gen=" + serving.number + " pid=" + serving.pid
                + (lastReload != null ? "; " + lastReload : ""));
    }

    private void endSucceeded(Reload reload) {
        reload.acceptQueuesAfter = actions.acceptQueues();
        endReload(reload, Reload.Outcome.SUCCEEDED, "");
        ReloadSnapshot evidence = reload.snapshot();
        LOG.info("{} evidence: {}", reload, evidence.oneLine());
        if (reload.old != null && serving != null && !shuttingDown) {
            actions.serviceManager().status("serving gen=" + serving.number + " pid=" + serving.pid
                    + "; last reload: gen=" + reload.fresh.number + " succeeded in "
                    + Durations.format(evidence.duration()) + (evidence.clean() ? "" : ", old generation not drained cleanly"));
        }
    }

    private void drain(Generation g, String why) {
        Instant now = actions.now();
        g.drainStartedAt = now;
        if (g.inflightAtDrain < 0) {
            g.inflightAtDrain = g.inflight;
        }
        actions.signal(g.pid, Sig.TERM);
        g.moveTo(new GenerationState.Draining(now.plus(settings.drainTimeout())),
                "draining (" + why + "): SIGTERM sent, SIGKILL in " + Durations.format(settings.drainTimeout()));
        actions.schedule(settings.drainTimeout(), new Event.Deadline(g.number, DRAIN));
    }

    // --- the serving child dies ---------------------------------------------------------

    private void scheduleRestart() {
        if (shuttingDown) {
            return;
        }
        Duration delay = backoff.schedule(actions.now());
        if (delay == null) {
            return; // one is scheduled already
        }
        monitor.childRestarted();
        LOG.info("starting a new generation in {} (failure {} in a row)", Durations.format(delay), backoff.failuresInARow());
        actions.schedule(delay, new Event.RestartDue());
    }

    /** A generation that served longer than --restart-backoff-max ends any crash loop before it. */
    private void forgetFailuresIfServedLong(Generation g) {
        if (g.readyAt == null) {
            return;
        }
        Duration served = Duration.between(g.readyAt, actions.now());
        if (backoff.servedFor(served)) {
            LOG.info("{} served {}: the restart backoff starts again from 0", g, Durations.format(served));
        }
    }

    private void onRestartDue() {
        backoff.due();
        if (!shuttingDown && serving == null && starting == null && listenersHeld) {
            startGeneration();
        }
    }

    // --- handoff: what ChildSessions asks of the state machine ---------------------------------

    private final class SessionTransitions implements ChildSessions.Transitions {
        @Override
        public Generation starting() {
            return starting;
        }

        @Override
        public java.util.Collection<Generation> alive() {
            return alive.values();
        }

        @Override
        public boolean shuttingDown() {
            return shuttingDown;
        }

        @Override
        public void connected(Generation g, GenerationState.Starting s, int connection, long peerPid) {
            g.servicePid = peerPid;
            g.moveTo(new GenerationState.Connected(s.readyDeadline()),
                    "connected" + (peerPid == g.pid || peerPid < 0 ? "" : " (through pid=" + peerPid + ")"));
            try {
                String names = actions.sendListeners(connection, g.number);
                LOG.info("{} fds sent: {}", g, names);
            } catch (IOException e) {
                failStart(g, "cannot send the listeners: " + e.getMessage());
            }
        }

        @Override
        public void ready(Generation g) {
            onReady(g);
        }

        @Override
        public void notReady(Generation g, String reason) {
            rollBack(g, "gen=" + g.number + " reported not ready: " + reason);
        }

        @Override
        public void closedBeforeReady(Generation g, String reason) {
            failStart(g, reason);
        }

        @Override
        public void readopted(Generation g, int connection) {
            onReadopted(g, connection);
        }
    }

    // --- deadlines and exits --------------------------------------------------------------

    private void onDeadline(Event.Deadline d) {
        Generation g = alive.get(d.generation());
        if (g == null) {
            return;
        }
        switch (d.kind()) {
            case READY -> {
                if (g == starting && (g.phase() == Phase.STARTING || g.phase() == Phase.CONNECTED)) {
                    failStart(g, g.phase() == Phase.STARTING
                            ? "did not connect to the handoff socket within " + Durations.format(settings.readyTimeout())
                            : "not READY within " + Durations.format(settings.readyTimeout()));
                }
            }
            case MIN_READY -> {
                if (g == starting && g.phase() == Phase.PROVING) {
                    becomeServing(g);
                }
            }
            case DRAIN -> {
                if (g.phase() == Phase.DRAINING) {
                    kill(g, "did not exit within --drain-timeout " + Durations.format(settings.drainTimeout()));
                }
            }
            case PRIORITY -> {
                if (g == starting && StartPriority.LOW.equals(g.startPriority)) {
                    LOG.info("{} not READY after {} at low priority: gets batond's priority now", g, Durations.format(lowWindow()));
                    restorePriority(g);
                }
            }
            case KILL -> {
                if (g.phase() == Phase.KILLING) {
                    kill(g, "still running " + Durations.format(FAILED_START_GRACE) + " after SIGTERM");
                }
            }
        }
    }

    private void kill(Generation g, String why) {
        int processes = actions.kill(g.pid);
        g.killedProcesses += processes;
        LOG.warn("{} killed (SIGKILL to {} process{}): {}", g, processes, processes == 1 ? "" : "es", why);
    }

    private void onChildExited(Event.ChildExited e) {
        Generation g = alive.remove(e.generation());
        if (g == null) {
            return;
        }
        if (e.code() < 0) {
            // Not batond's child: no waitpid. Its own word, else what batond did to it, else unknown.
            e = new Event.ChildExited(e.generation(), e.pid(),
                    g.reportedExit >= 0 ? g.reportedExit : g.killedProcesses > 0 ? 137 : -1);
        }
        GenerationState before = g.state();
        String after = before instanceof GenerationState.Killing k ? " after its failed start (" + k.reason() + ")"
                : g.killedProcesses > 0 ? " after SIGKILL"
                : g.servicePid > 0 && g.servicePid != g.pid && g.drainReported ? "; its service pid=" + g.servicePid + " drained"
                : "";
        g.moveTo(new GenerationState.Exited(actions.now(), e.code()), "exited code=" + e.code() + describe(e.code()) + after);
        sessions.forget(g);
        monitor.exited(g.snapshot());
        exitedRecently.addLast(g);
        while (exitedRecently.size() > EXITED_SHOWN) {
            exitedRecently.removeFirst();
        }
        Reload replaced = reloadByOldGeneration.remove(g.number);
        if (replaced != null) {
            endSucceeded(replaced);
        }
        switch (before.phase()) {
            case STARTING, CONNECTED -> {
                if (g == starting) {
                    failStart(g, "exited with code " + e.code() + " before READY");
                }
            }
            case PROVING -> {
                if (g == starting) {
                    rollBack(g, "gen=" + g.number + " exited with code " + e.code() + " "
                            + Durations.seconds(Duration.between(g.readyAt, actions.now())) + " after READY, inside --min-ready "
                            + Durations.format(settings.minReady()));
                }
            }
            case SERVING -> {
                serving = null;
                forgetFailuresIfServedLong(g);
                if (!shuttingDown) {
                    backoff.failed(g + " died with code " + e.code() + " while serving");
                    if (starting != null && starting.phase() == Phase.PROVING) {
                        // The new generation is READY and accepts already: its window has nothing left to protect.
                        LOG.warn("serving {} died with code {} inside gen={}'s --min-ready window", g, e.code(), starting.number);
                        becomeServing(starting, "serving: the generation it proved itself beside died");
                    } else {
                        LOG.warn("serving {} died with code {}; the listener stays open, connections wait for the next generation",
                                g, e.code());
                        if (starting == null) {
                            scheduleRestart();
                        } else {
                            restorePriority(starting); // nothing serves: the next one must start at full speed
                        }
                    }
                }
            }
            case DRAINING, KILLING, EXITED -> {
                if (queue.isQueued() && starting == null && serving != null && !shuttingDown && upgrading == null) {
                    startReload(queue.take());
                }
            }
        }
        if (!listenersHeld && !readopting && listenersAskedOf < 0 && !shuttingDown && g.adopted) {
            takeListenersWithoutChild(); // an orphan that held the port may have been the last to
        }
        if (shuttingDown && alive.isEmpty()) {
            finish();
        }
    }

    private static String describe(int code) {
        return switch (code) {
            case 137 -> " (SIGKILL)";
            case 143 -> " (SIGTERM)";
            case 130 -> " (SIGINT)";
            case -1 -> " (unknown: not batond's child, and it reported none)";
            default -> "";
        };
    }

    private void finish() {
        exited = true;
        List<GenerationSnapshot> stopped = new ArrayList<>();
        stoppedGenerations.forEach(g -> stopped.add(g.snapshot()));
        ShutdownOutcome outcome = new ShutdownOutcome(stopped);
        stopWaiters.forEach(w -> w.accept(outcome));
        stopWaiters.clear();
        LOG.info("batond exiting code=0");
        actions.exit(0);
    }
}
