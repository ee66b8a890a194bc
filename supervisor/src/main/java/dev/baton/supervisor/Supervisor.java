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

import dev.baton.child.Frame;
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
        this.config = config;
        this.actions = actions;
        this.ownUid = ownUid;
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
            }
            reloadQueued = true;
            return;
        }
        LOG.info("reload requested ({})", source);
        startGeneration();
    }

    private void startGeneration() {
        long draining = alive.values().stream().filter(g -> g.phase() == Phase.DRAINING).count();
        if (serving != null && draining >= config.maxDraining()) {
            LOG.info("reload waits: {} old generation(s) still draining (--max-draining {})",
                    draining, config.maxDraining());
            reloadQueued = true;
            return;
        }
        if (serving != null && config.memoryCheck()) {
            Optional<String> shortfall = actions.memoryShortfall(serving.pid);
            if (shortfall.isPresent()) {
                LOG.warn("reload refused: {} (--no-memory-check turns this check off)", shortfall.get());
                return;
            }
        }
        int number = nextGeneration++;
        String token = actions.newToken();
        long pid;
        try {
            pid = actions.spawn(number, token);
        } catch (IOException e) {
            LOG.error("{} of gen={} failed: cannot start {}: {}", serving != null ? "reload" : "start",
                    number, config.command().get(0), e.getMessage());
            if (serving == null) {
                scheduleRestart();
            }
            return;
        }
        Instant now = actions.now();
        Generation g = new Generation(number, token, pid,
                new GenerationState.Starting(now, now.plus(config.readyTimeout())));
        alive.put(number, g);
        starting = g;
        LOG.info("{} spawned", g);
        actions.schedule(config.readyTimeout(), new Event.Deadline(number, READY));
    }

    /** The new generation will not serve: stop it and keep the serving one. */
    private void failStart(Generation g, String reason) {
        LOG.warn("{} to gen={} failed: {}", serving != null ? "reload" : "start", g.number, reason);
        if (starting == g) {
            starting = null;
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
            startGeneration();
        }
    }

    private void becomeServing(Generation g, int connection) {
        Generation previous = serving;
        g.moveTo(new GenerationState.Serving(actions.now(), connection), "ready");
        serving = g;
        starting = null;
        if (previous != null) {
            drain(previous, "replaced by gen=" + g.number);
            LOG.info("reload to gen={} complete", g.number);
            actions.notifyServiceManager("STATUS=serving gen=" + g.number);
        } else {
            LOG.info("gen={} serving", g.number);
            actions.notifyServiceManager("READY=1\nSTATUS=serving gen=" + g.number);
        }
        afterStartEnded();
    }

    private void drain(Generation g, String why) {
        Instant now = actions.now();
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
        Duration delay = deaths == 1 ? Duration.ZERO : backoff(deaths - 1);
        restartScheduled = true;
        LOG.info("starting a new generation in {} (failure {} in a row)", DurationParser.format(delay), deaths);
        actions.schedule(delay, new Event.RestartDue());
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
        if ("1".equals(frame.get("READY"))) {
            if (g == starting && g.state() instanceof GenerationState.Connected) {
                becomeServing(g, connection);
            } else {
                LOG.info("{} said READY again in phase {}: ignored", g, g.phase());
            }
        } else if ("1".equals(frame.get("DRAINED"))) {
            LOG.info("{} drained served={}", g, frame.get("SERVED"));
        } else if (frame.has("INFLIGHT") || frame.has("SERVED")) {
            LOG.debug("{} inflight={} served={}", g, frame.get("INFLIGHT"), frame.get("SERVED"));
        } else {
            LOG.warn("{} sent an unknown frame ({}): ignored", g, frame.fields().keySet());
        }
    }

    private void onHello(int connection, Frame frame) {
        if (!"1".equals(frame.get("BATON")) || frame.get("TOKEN") == null) {
            refuse(connection, "first frame is not a HELLO (BATON=1 TOKEN=...)");
            return;
        }
        String token = frame.get("TOKEN");
        String pid = frame.get("PID");
        for (Generation g : alive.values()) {
            if (tokenEquals(g.token, token)) {
                if (g == starting && g.state() instanceof GenerationState.Starting s) {
                    accept(g, connection, s, pid);
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
        actions.signal(g.pid, Sig.KILL);
        LOG.warn("{} killed (SIGKILL): {}", g, why);
    }

    private void onChildExited(Event.ChildExited e) {
        Generation g = alive.remove(e.generation());
        if (g == null) {
            return;
        }
        GenerationState before = g.state();
        String after = before instanceof GenerationState.Killing k ? " after its failed start (" + k.reason() + ")" : "";
        g.moveTo(new GenerationState.Exited(actions.now(), e.code()), "exited code=" + e.code() + describe(e.code()) + after);
        byConnection.values().removeIf(x -> x == g);
        switch (before.phase()) {
            case STARTING, CONNECTED -> {
                if (g == starting) {
                    failStart(g, "exited with code " + e.code() + " before READY");
                }
            }
            case SERVING -> {
                serving = null;
                Instant since = ((GenerationState.Serving) before).since();
                if (Duration.between(since, actions.now()).compareTo(config.restartBackoffMax()) >= 0) {
                    deaths = 0; // it served a good while: this is a new failure, not a crash loop
                }
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
                    startGeneration();
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
        actions.notifyServiceManager("STOPPING=1");
        for (Generation g : alive.values()) {
            if (g.phase() == Phase.SERVING || g.phase() == Phase.STARTING || g.phase() == Phase.CONNECTED) {
                drain(g, "shutdown");
            }
        }
        starting = null;
        serving = null;
        if (alive.isEmpty()) {
            finish();
        }
    }

    private void finish() {
        exited = true;
        LOG.info("batond exiting code=0");
        actions.exit(0);
    }

    // --- small helpers -------------------------------------------------------------------

    private static boolean tokenEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
