package dev.baton.supervisor;

import java.io.IOException;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import dev.baton.protocol.Frame;
import dev.baton.protocol.Keys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static dev.baton.supervisor.Event.Deadline.Kind.DRAIN;
import static dev.baton.supervisor.Event.Deadline.Kind.KILL;
import static dev.baton.supervisor.Event.Deadline.Kind.READY;

/**
 * The lifecycle of batond's generations. Only the event loop calls {@link #handle}; no locks.
 *
 * <p>At most one generation is SERVING and at most one STARTING/CONNECTED (the reload in
 * progress); any number up to {@code --max-draining} are DRAINING. A reload requested while
 * one is under way is remembered once and runs after it.
 */
final class Supervisor {
    private static final Logger LOG = LoggerFactory.getLogger("batond");

    /** How long a child that failed to become ready gets between SIGTERM and SIGKILL. */
    static final Duration FAILED_START_GRACE = Duration.ofSeconds(5);

    private final Config config;
    private final Actions actions;
    private final int ownUid;
    private final Monitor monitor;
    private final Reloads reloads;
    /** Recently exited generations, newest last, for status. */
    private final java.util.Deque<Generation> exitedRecently = new java.util.ArrayDeque<>();
    private final java.util.List<ControlReply> stopWaiters = new java.util.ArrayList<>();
    private final Instant startedAt;
    /** The reload whose new generation is starting, and the reloads whose old generation drains. */
    private Reload reloadStarting;
    private final Map<Integer, Reload> reloadByOldGeneration = new HashMap<>();
    private String queuedSource;
    private int restarts;
    /** Why the last start or reload failed, until a generation serves long enough to forget it. */
    private String lastFailure;
    /** When the restart after a failure is due; null when none is scheduled. */
    private Instant nextAttemptAt;
    /** Every generation alive when the shutdown began: what stop --wait reports. */
    private final java.util.List<Generation> stoppedGenerations = new java.util.ArrayList<>();

    private final Map<Integer, Generation> alive = new LinkedHashMap<>();
    private final Map<Integer, Generation> byConnection = new HashMap<>();
    private Generation serving;
    private Generation starting;
    private int nextGeneration = 1;
    private boolean reloadQueued;
    private boolean restartScheduled;
    private int deaths;
    private boolean shuttingDown;
    private boolean exited;

    Supervisor(Config config, Actions actions, int ownUid) {
        this(config, actions, ownUid, Monitor.NONE);
    }

    Supervisor(Config config, Actions actions, int ownUid, Monitor monitor) {
        this.config = config;
        this.actions = actions;
        this.ownUid = ownUid;
        this.monitor = monitor;
        this.reloads = new Reloads(monitor);
        this.startedAt = actions.now();
    }

    /** Starts generation 1. */
    void start() {
        startGeneration();
    }

    void handle(Event event) {
        if (exited) {
            return;
        }
        // Java 17 has no pattern switch outside preview: one instanceof per event kind.
        if (event instanceof Event.ReloadRequested e) {
            onReload(e.source());
        } else if (event instanceof Event.ShutdownRequested e) {
            onShutdown(e.source());
        } else if (event instanceof Event.ChildExited e) {
            onChildExited(e);
        } else if (event instanceof Event.HandoffConnected e) {
            onConnected(e);
        } else if (event instanceof Event.FrameReceived e) {
            onFrame(e.connection(), e.frame());
        } else if (event instanceof Event.HandoffClosed e) {
            onHandoffClosed(e.connection(), e.reason());
        } else if (event instanceof Event.Deadline e) {
            onDeadline(e);
        } else if (event instanceof Event.RestartDue) {
            onRestartDue();
        } else if (event instanceof Event.ControlRequest e) {
            onControl(e.command(), e.reply());
        } else if (event instanceof Event.WatchdogDue) {
            if (serving != null && !shuttingDown) {
                actions.notifyServiceManager("WATCHDOG=1"); // only while a child really serves
            }
        } else if (event instanceof Event.ReapOrphans) {
            // On the loop, so no generation can be spawned between listing pids and reaping.
            actions.reapOrphans(alive.values().stream().map(g -> g.pid).collect(Collectors.toSet()));
        }
    }

    // --- reloads -------------------------------------------------------------------------

    private void onReload(String source) {
        if (shuttingDown) {
            LOG.info("reload requested ({}) ignored: shutting down", source);
            return;
        }
        if (starting != null) {
            if (!reloadQueued) {
                LOG.info("reload requested ({}): queued after {} finishes starting", source, starting);
                queuedSource = source;
            }
            reloadQueued = true;
            return;
        }
        LOG.info("reload requested ({})", source);
        startReload(source);
    }

    /** Replaces the serving generation; without one (it died, a restart is pending) this is a plain start. */
    private void startReload(String source) {
        if (serving == null) {
            Reload reload = openReload(source);
            Generation g = startGeneration();
            if (g == null) {
                endReload(reload, Reload.Outcome.FAILED, "cannot start " + config.command().get(0));
            } else {
                reload.fresh = g;
                reloadStarting = reload;
            }
            return;
        }
        long draining = alive.values().stream().filter(g -> g.phase() == Phase.DRAINING).count();
        if (draining >= config.maxDraining()) {
            LOG.info("reload waits: {} old generation(s) still draining (--max-draining {})",
                    draining, config.maxDraining());
            reloadQueued = true;
            if (queuedSource == null) {
                queuedSource = source;
            }
            return;
        }
        Reload reload = openReload(source);
        reload.old = serving;
        if (config.memoryCheck()) {
            Optional<String> shortfall = actions.memoryShortfall(serving.pid);
            if (shortfall.isPresent()) {
                LOG.warn("reload refused: {} (--no-memory-check turns this check off)", shortfall.get());
                endReload(reload, Reload.Outcome.REFUSED, shortfall.get());
                return;
            }
        }
        actions.notifyServiceManager("RELOADING=1\nMONOTONIC_USEC=" + actions.monotonicMicros()
                + "\nSTATUS=reloading: starting gen=" + nextGeneration + ", gen=" + serving.number + " serves");
        Generation g = startGeneration();
        if (g == null) {
            String reason = "cannot start " + config.command().get(0);
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
        long pid;
        try {
            pid = actions.spawn(number, token);
        } catch (IOException e) {
            LOG.error("{} of gen={} failed: cannot start {}: {}", serving != null ? "reload" : "start",
                    number, config.command().get(0), e.getMessage());
            lastFailure = "gen=" + number + ": cannot start " + config.command().get(0) + ": " + e.getMessage();
            if (serving == null) {
                scheduleRestart();
            }
            return null;
        }
        Instant now = actions.now();
        Generation g = new Generation(number, token, pid,
                new GenerationState.Starting(now, now.plus(config.readyTimeout())));
        alive.put(number, g);
        starting = g;
        LOG.info("{} spawned", g);
        actions.schedule(config.readyTimeout(), new Event.Deadline(number, READY));
        // A slow child may take up to --ready-timeout: let systemd's start/reload timeout wait that long.
        actions.notifyServiceManager("EXTEND_TIMEOUT_USEC="
                + config.readyTimeout().plus(FAILED_START_GRACE).toNanos() / 1000);
        return g;
    }

    /** The new generation will not serve: stop it and keep the serving one. */
    private void failStart(Generation g, String reason) {
        LOG.warn("{} to gen={} failed: {}", serving != null ? "reload" : "start", g.number, reason);
        lastFailure = "gen=" + g.number + " " + reason;
        if (starting == g) {
            starting = null;
        }
        if (reloadStarting != null && reloadStarting.fresh == g) {
            Reload reload = reloadStarting;
            reloadStarting = null;
            endReload(reload, Reload.Outcome.FAILED, reason);
            if (serving != null) {
                notifyServing("last reload (gen=" + g.number + ") failed: " + reason);
            }
        }
        if (g.alive()) {
            Instant now = actions.now();
            actions.signal(g.pid, Sig.TERM);
            g.moveTo(new GenerationState.Killing(now, now.plus(FAILED_START_GRACE), reason),
                    "killing: SIGTERM sent, SIGKILL in " + DurationParser.format(FAILED_START_GRACE));
            actions.schedule(FAILED_START_GRACE, new Event.Deadline(g.number, KILL));
        }
        afterStartEnded();
    }

    /** A start ended (ready or failed): run what waited for it. */
    private void afterStartEnded() {
        if (shuttingDown) {
            return;
        }
        if (serving == null) {
            scheduleRestart();
        } else if (reloadQueued) {
            reloadQueued = false;
            LOG.info("running the queued reload");
            startReload(takeQueuedSource());
        }
    }

    private String takeQueuedSource() {
        String source = queuedSource != null ? queuedSource : "queued";
        queuedSource = null;
        return source;
    }

    private void becomeServing(Generation g, int connection) {
        Generation previous = serving;
        g.readyAt = actions.now();
        g.moveTo(new GenerationState.Serving(g.readyAt, connection), "ready in "
                + DurationParser.format(java.time.Duration.between(g.spawnedAt, g.readyAt)));
        serving = g;
        starting = null;
        monitor.serving(g);
        Reload reload = reloadStarting != null && reloadStarting.fresh == g ? reloadStarting : null;
        reloadStarting = null;
        if (previous != null) {
            resetBackoffIfServedLong(previous);
            drain(previous, "replaced by gen=" + g.number);
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

    /** READY=1 ends systemd's start or reload; STATUS= says who serves now. */
    private void notifyServing(String lastReload) {
        actions.notifyServiceManager("READY=1\nSTATUS=serving gen=" + serving.number + " pid=" + serving.pid
                + (lastReload != null ? "; " + lastReload : ""));
    }

    private void endSucceeded(Reload reload) {
        reload.acceptQueuesAfter = actions.acceptQueues();
        endReload(reload, Reload.Outcome.SUCCEEDED, "");
        LOG.info("{} evidence: {}", reload, ReloadEvidence.oneLine(reload));
        if (reload.old != null && serving != null && !shuttingDown) {
            actions.notifyServiceManager("STATUS=serving gen=" + serving.number + " pid=" + serving.pid
                    + "; last reload: gen=" + reload.fresh.number + " succeeded in "
                    + DurationParser.format(reload.duration()) + (reload.clean() ? "" : ", old generation not drained cleanly"));
        }
    }

    private void drain(Generation g, String why) {
        Instant now = actions.now();
        g.drainStartedAt = now;
        if (g.inflightAtDrain < 0) {
            g.inflightAtDrain = g.inflight;
        }
        actions.signal(g.pid, Sig.TERM);
        g.moveTo(new GenerationState.Draining(now, now.plus(config.drainTimeout())),
                "draining (" + why + "): SIGTERM sent, SIGKILL in " + DurationParser.format(config.drainTimeout()));
        actions.schedule(config.drainTimeout(), new Event.Deadline(g.number, DRAIN));
    }

    // --- the serving child dies ---------------------------------------------------------

    private void scheduleRestart() {
        if (restartScheduled || shuttingDown) {
            return;
        }
        deaths++;
        restarts++;
        monitor.childRestarted();
        Duration delay = deaths == 1 ? Duration.ZERO : backoff(deaths - 1);
        restartScheduled = true;
        nextAttemptAt = actions.now().plus(delay);
        LOG.info("starting a new generation in {} (failure {} in a row)", DurationParser.format(delay), deaths);
        actions.schedule(delay, new Event.RestartDue());
    }

    /**
     * A generation that served longer than --restart-backoff-max ends any crash loop before it:
     * whether it then dies or is replaced by a reload, the next failure starts again from no wait.
     */
    private void resetBackoffIfServedLong(Generation g) {
        if (g.readyAt != null && Duration.between(g.readyAt, actions.now()).compareTo(config.restartBackoffMax()) >= 0) {
            if (deaths > 0) {
                LOG.info("{} served {}: the restart backoff starts again from 0", g,
                        DurationParser.format(Duration.between(g.readyAt, actions.now())));
            }
            deaths = 0;
            lastFailure = null;
        }
    }

    /** min, 2*min, 4*min ... capped at max. */
    private Duration backoff(int step) {
        Duration d = config.restartBackoffMin();
        for (int i = 1; i < step && d.compareTo(config.restartBackoffMax()) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(config.restartBackoffMax()) > 0 ? config.restartBackoffMax() : d;
    }

    private void onRestartDue() {
        restartScheduled = false;
        nextAttemptAt = null;
        if (!shuttingDown && serving == null && starting == null) {
            startGeneration();
        }
    }

    // --- handoff -------------------------------------------------------------------------

    private void onConnected(Event.HandoffConnected e) {
        if (e.peerUid() != ownUid && e.peerUid() != 0) {
            refuse(e.connection(), "peer pid=" + e.peerPid() + " runs as uid " + e.peerUid() + ", not batond's uid " + ownUid);
            return;
        }
        LOG.debug("handoff connection {} from pid={}", e.connection(), e.peerPid());
    }

    private void onFrame(int connection, Frame frame) {
        Generation g = byConnection.get(connection);
        if (g == null) {
            onHello(connection, frame);
            return;
        }
        if ("1".equals(frame.get(Keys.READY))) {
            if (g == starting && g.state() instanceof GenerationState.Connected) {
                becomeServing(g, connection);
            } else if (shuttingDown) {
                LOG.info("{} said READY while batond shuts down: ignored, it drains", g);
            } else if (g.phase() == Phase.KILLING) {
                LOG.info("{} said READY after its start failed: ignored, it is being stopped", g);
            } else {
                LOG.info("{} said READY again in phase {}: ignored", g, g.phase());
            }
        } else if ("1".equals(frame.get(Keys.DRAINED))) {
            onDrained(g, frame);
        } else if (frame.has(Keys.INFLIGHT) || frame.has(Keys.SERVED)) {
            g.inflight = number(frame.get(Keys.INFLIGHT), g.inflight);
            g.served = number(frame.get(Keys.SERVED), g.served);
            monitor.stats(g);
            LOG.debug("{} inflight={} served={}", g, frame.get(Keys.INFLIGHT), frame.get(Keys.SERVED));
        } else {
            LOG.warn("{} sent an unknown frame ({}): ignored", g, frame.fields().keySet());
        }
    }

    /** DRAINED=1 SERVED= [INFLIGHT_AT_DRAIN= ABANDONED= DRAIN_MS= CLOSED=]: the child's own account of its drain. */
    private void onDrained(Generation g, Frame frame) {
        g.served = number(frame.get(Keys.SERVED), g.served);
        g.inflightAtDrain = number(frame.get(Keys.INFLIGHT_AT_DRAIN), g.inflightAtDrain);
        g.inflightAtExit = number(frame.get(Keys.ABANDONED), 0);
        g.inflight = g.inflightAtExit;
        monitor.stats(g);
        StringBuilder facts = new StringBuilder("served=" + frame.get(Keys.SERVED));
        for (String key : java.util.List.of(Keys.INFLIGHT_AT_DRAIN, Keys.ABANDONED, Keys.DRAIN_MS, Keys.CLOSED)) {
            if (frame.has(key)) {
                facts.append(' ').append(key.toLowerCase()).append('=').append(frame.get(key));
            }
        }
        g.drainReported = true;
        LOG.info("{} drained {}", g, facts);
    }

    private static long number(String text, long otherwise) {
        if (text == null) {
            return otherwise;
        }
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private void onHello(int connection, Frame frame) {
        if (!"1".equals(frame.get(Keys.BATON)) || frame.get(Keys.TOKEN) == null) {
            if (frame.has(Keys.INFLIGHT) || frame.has(Keys.SERVED) || frame.has(Keys.READY) || frame.has(Keys.DRAINED)) {
                // A child's own frames on a connection that never said HELLO here: a child of
                // another batond (one that died, say), reaching this socket.
                refuse(connection, "a child's " + frame.fields().keySet() + " frame without a HELLO first: "
                        + "not a child of this batond (an orphan of an earlier one?)");
            } else {
                refuse(connection, "first frame is not a HELLO (BATON=1 TOKEN=...)");
            }
            return;
        }
        String token = frame.get(Keys.TOKEN);
        String pid = frame.get(Keys.PID);
        for (Generation g : alive.values()) {
            if (tokenEquals(g.token, token)) {
                if (g == starting && g.state() instanceof GenerationState.Starting s) {
                    g.servicePid = number(pid, -1);
                    accept(g, connection, s, pid);
                } else if (g.state() instanceof GenerationState.Killing k) {
                    refuse(connection, g + " connected too late: its start had failed (" + k.reason() + ")");
                } else if (shuttingDown && g.phase() == Phase.DRAINING && g.readyAt == null) {
                    refuse(connection, g + " connected while batond shuts down: it is being stopped");
                } else {
                    refuse(connection, "token of " + g + " already used (process pid=" + pid + ")");
                }
                return;
            }
        }
        refuse(connection, "wrong token (process pid=" + pid + ")");
    }

    private void accept(Generation g, int connection, GenerationState.Starting s, String peerPid) {
        byConnection.put(connection, g);
        g.moveTo(new GenerationState.Connected(actions.now(), s.readyDeadline(), connection),
                "connected" + (Long.toString(g.pid).equals(peerPid) ? "" : " (through pid=" + peerPid + ")"));
        try {
            String names = actions.sendListeners(connection, g.number);
            LOG.info("{} fds sent: {}", g, names);
        } catch (IOException e) {
            failStart(g, "cannot send the listeners: " + e.getMessage());
        }
    }

    private void refuse(int connection, String why) {
        LOG.warn("handoff connection refused: {}", why);
        actions.closeConnection(connection);
    }

    private void onHandoffClosed(int connection, String reason) {
        Generation g = byConnection.remove(connection);
        if (g == null) {
            LOG.debug("handoff connection {} closed: {}", connection, reason);
            return;
        }
        if (g == starting) {
            failStart(g, "closed the handoff connection before READY (" + reason + ")");
        } else if (g.alive()) {
            LOG.info("{} closed its handoff connection ({})", g, reason);
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
                if (g == starting) {
                    failStart(g, g.phase() == Phase.STARTING
                            ? "did not connect to the handoff socket within " + DurationParser.format(config.readyTimeout())
                            : "not READY within " + DurationParser.format(config.readyTimeout()));
                }
            }
            case DRAIN -> {
                if (g.phase() == Phase.DRAINING) {
                    kill(g, "did not exit within --drain-timeout " + DurationParser.format(config.drainTimeout()));
                }
            }
            case KILL -> {
                if (g.phase() == Phase.KILLING) {
                    kill(g, "still running " + DurationParser.format(FAILED_START_GRACE) + " after SIGTERM");
                }
            }
        }
    }

    private void kill(Generation g, String why) {
        int processes = actions.signal(g.pid, Sig.KILL);
        g.killedProcesses += processes;
        LOG.warn("{} killed (SIGKILL to {} process{}): {}", g, processes, processes == 1 ? "" : "es", why);
    }

    private void onChildExited(Event.ChildExited e) {
        Generation g = alive.remove(e.generation());
        if (g == null) {
            return;
        }
        GenerationState before = g.state();
        String after = before instanceof GenerationState.Killing k ? " after its failed start (" + k.reason() + ")"
                : g.killedProcesses > 0 ? " after SIGKILL"
                : g.servicePid > 0 && g.servicePid != g.pid && g.drainReported ? "; its service pid=" + g.servicePid + " drained"
                : "";
        g.exitedAt = actions.now();
        g.exitCode = e.code();
        g.moveTo(new GenerationState.Exited(g.exitedAt, e.code()), "exited code=" + e.code() + describe(e.code()) + after);
        byConnection.values().removeIf(x -> x == g);
        monitor.exited(g);
        exitedRecently.addLast(g);
        while (exitedRecently.size() > 5) {
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
            case SERVING -> {
                serving = null;
                resetBackoffIfServedLong(g);
                if (!shuttingDown) {
                    LOG.warn("serving {} died with code {}; the listener stays open, connections wait for the next generation",
                            g, e.code());
                    if (starting == null) {
                        scheduleRestart();
                    }
                }
            }
            case DRAINING, KILLING, EXITED -> {
                if (reloadQueued && starting == null && serving != null && !shuttingDown) {
                    reloadQueued = false;
                    startReload(takeQueuedSource());
                }
            }
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
            default -> "";
        };
    }

    // --- shutdown ------------------------------------------------------------------------

    private void onShutdown(String source) {
        if (shuttingDown) {
            LOG.info("shutdown requested ({}) again: already shutting down, {} generation(s) left", source, alive.size());
            return;
        }
        shuttingDown = true;
        reloadQueued = false;
        LOG.info("shutdown requested ({}): draining {} generation(s)", source, alive.size());
        actions.notifyServiceManager("STOPPING=1\nSTATUS=stopping: draining " + alive.size() + " generation(s)"
                + "\nEXTEND_TIMEOUT_USEC=" + config.drainTimeout().plus(FAILED_START_GRACE).toNanos() / 1000);
        stoppedGenerations.addAll(alive.values());
        for (Generation g : alive.values()) {
            if (g.phase() == Phase.SERVING || g.phase() == Phase.STARTING || g.phase() == Phase.CONNECTED) {
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

    private void finish() {
        exited = true;
        Map<String, Object> answer = ShutdownReport.answer(stoppedGenerations);
        stopWaiters.forEach(w -> w.send(answer));
        stopWaiters.clear();
        LOG.info("batond exiting code=0");
        actions.exit(0);
    }

    // --- control socket ------------------------------------------------------------------

    private void onControl(String command, ControlReply reply) {
        switch (command) {
            case "status" -> reply.send(status());
            case "reload" -> {
                reply.send(ControlResponses.ok(shuttingDown ? "not reloading: batond is shutting down" : "reload requested"));
                onReload("batonctl");
            }
            case "reload --wait" -> {
                if (shuttingDown) {
                    reply.send(ControlResponses.error("not reloading: batond is shutting down"));
                    return;
                }
                reloads.waitForNext(r -> reply.send(ReloadEvidence.toMap(r)));
                onReload("batonctl");
            }
            case "stop" -> {
                reply.send(ControlResponses.ok("stopping: draining " + alive.size() + " generation(s)"));
                onShutdown("batonctl stop");
            }
            case "stop --wait" -> {
                stopWaiters.add(reply);
                onShutdown("batonctl stop");
            }
            default -> {
                LOG.warn("control: unknown command '{}' refused", ControlResponses.printable(command));
                reply.send(ControlResponses.error("unknown command '" + ControlResponses.printable(command)
                        + "': batond understands status, reload, reload --wait, stop, stop --wait"));
            }
        }
    }

    /** Everything {@code batonctl status} shows. */
    Map<String, Object> status() {
        return StatusReport.build(actions, config, startedAt, serving, alive.values(), exitedRecently,
                reloads.recent(), restarts, shuttingDown,
                serving == null ? new StatusReport.Failing(lastFailure, deaths, nextAttemptAt) : null);
    }

    // --- small helpers -------------------------------------------------------------------

    private static boolean tokenEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
