package dev.baton.supervisor.lifecycle;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handoff session of each child, from HELLO to the end of its connection: who may speak
 * (batond's own uid or root, with a live generation's token, once), which connection speaks for
 * which generation, and what its READY, NOT_READY, stats and DRAINED mean. The transitions they cause are
 * the {@link Supervisor}'s, through {@link Transitions}.
 */
final class ChildSessions {
    private static final Logger LOG = LoggerFactory.getLogger("batond");

    /** What a session asks of the state machine. */
    interface Transitions {
        /** The generation being started (the only one a HELLO may come from); null when none. */
        Generation starting();

        Collection<Generation> alive();

        boolean shuttingDown();

        /** Its HELLO was accepted on {@code connection}: send the listeners. */
        void connected(Generation g, GenerationState.Starting s, int connection, long peerPid);

        /** The starting generation said READY. */
        void ready(Generation g);

        /** The generation proving itself for --min-ready said NOT_READY: a rollback. */
        void notReady(Generation g, String reason);

        /** The starting generation's connection closed before READY. */
        void closedBeforeReady(Generation g, String reason);

        /** A child of a batond that died said its RESUME HELLO on {@code connection} and was accepted. */
        void readopted(Generation g, int connection);
    }

    /** Who is at the other end of a connection that has not said HELLO yet (SO_PEERCRED). */
    private record Peer(long pid, int uid) {}

    private final int ownUid;
    private final Actions actions;
    private final Monitor monitor;
    private final Transitions lifecycle;
    private final Map<Integer, Generation> byConnection = new HashMap<>();
    /** Connections of batond's uid (or root) until their HELLO: as many as the handoff socket lets wait. */
    private final Map<Integer, Peer> peers = new HashMap<>();

    ChildSessions(int ownUid, Actions actions, Monitor monitor, Transitions lifecycle) {
        this.ownUid = ownUid;
        this.actions = actions;
        this.monitor = monitor;
        this.lifecycle = lifecycle;
    }

    void onConnected(Event.HandoffConnected e) {
        if (e.peerUid() != ownUid && e.peerUid() != 0) {
            refuse(e.connection(), "peer pid=" + e.peerPid() + " runs as uid " + e.peerUid() + ", not batond's uid " + ownUid);
            return;
        }
        peers.put(e.connection(), new Peer(e.peerPid(), e.peerUid()));
        LOG.debug("handoff connection {} from pid={}", e.connection(), e.peerPid());
    }

    void onHello(Event.ChildHello e) {
        int connection = e.connection();
        if (byConnection.get(connection) != null) {
            LOG.warn("{} said HELLO again: ignored", byConnection.get(connection));
            return;
        }
        Peer peer = peers.remove(connection);
        Generation g = byToken(lifecycle.alive(), e.token());
        String pid = e.pid() < 0 ? "?" : Long.toString(e.pid());
        if (e.resume()) {
            onResume(connection, g, peer, pid, e.generation());
        } else if (g == null) {
            refuse(connection, "wrong token (process pid=" + pid + ")");
        } else if (g == lifecycle.starting() && g.state() instanceof GenerationState.Starting s) {
            byConnection.put(connection, g);
            g.connection = connection;
            lifecycle.connected(g, s, connection, e.pid());
        } else if (g.state() instanceof GenerationState.Killing k) {
            refuse(connection, g + " connected too late: its start had failed (" + k.reason() + ")");
        } else if (lifecycle.shuttingDown() && g.phase() == Phase.DRAINING && g.readyAt == null) {
            refuse(connection, g + " connected while batond shuts down: it is being stopped");
        } else {
            refuse(connection, "token of " + g + " already used (process pid=" + pid + ")");
        }
    }

    /**
     * RESUME HELLO: accepted only from a generation waiting to be re-adopted, whose token it is,
     * from batond's own uid (not even root) and from the generation's pid or its service pid as
     * SO_PEERCRED tells them. Anything else is refused as any stranger is.
     */
    private void onResume(int connection, Generation g, Peer peer, String pid, int generation) {
        if (g == null) {
            refuse(connection, "wrong token in a RESUME HELLO (process pid=" + pid + ")");
        } else if (!g.readopting && (g.orphanedSince == null || g.connection >= 0)) {
            refuse(connection, "RESUME HELLO with the token of " + g + ", which is not waiting to be re-adopted (process pid=" + pid + ")");
        } else if (peer == null || peer.uid() != ownUid) {
            refuse(connection, "RESUME HELLO for " + g + " from uid " + (peer == null ? "?" : peer.uid()) + ", not batond's uid " + ownUid);
        } else if (peer.pid() != g.pid && (g.servicePid <= 0 || peer.pid() != g.servicePid)) {
            refuse(connection, "RESUME HELLO for " + g + " from pid=" + peer.pid() + ", neither its pid nor its service pid");
        } else if (generation >= 0 && generation != g.number) {
            refuse(connection, "RESUME HELLO for " + g + " says GENERATION=" + generation);
        } else {
            byConnection.put(connection, g);
            g.connection = connection;
            g.readopting = false;
            lifecycle.readopted(g, connection);
        }
    }

    void onReady(Event.ChildReady e) {
        Generation g = speaker(e.connection(), "READY");
        if (g == null) {
            return;
        }
        if (g == lifecycle.starting() && g.state() instanceof GenerationState.Connected) {
            g.warmupMs = e.warmupMs();
            lifecycle.ready(g);
        } else if (lifecycle.shuttingDown()) {
            LOG.info("{} said READY while batond shuts down: ignored, it drains", g);
        } else if (g.phase() == Phase.KILLING) {
            LOG.info("{} said READY after its start failed: ignored, it is being stopped", g);
        } else {
            LOG.info("{} said READY again in phase {}: ignored", g, g.phase());
        }
    }

    /** NOT_READY: a rollback inside the new generation's --min-ready window; any other time only a log line. */
    void onNotReady(Event.ChildNotReady e) {
        Generation g = speaker(e.connection(), "NOT_READY");
        if (g == null) {
            return;
        }
        if (g == lifecycle.starting() && g.phase() == Phase.PROVING && !lifecycle.shuttingDown()) {
            lifecycle.notReady(g, e.reason());
        } else {
            LOG.info("{} reported not ready in phase {} ({}): changes nothing outside a --min-ready window",
                    g, g.phase(), e.reason());
        }
    }

    void onStats(Event.ChildStats e) {
        Generation g = speaker(e.connection(), "stats (INFLIGHT, SERVED)");
        if (g == null) {
            return;
        }
        if (e.inflight() >= 0) {
            g.inflight = e.inflight();
        }
        if (e.served() >= 0) {
            g.served = e.served();
        }
        monitor.stats(g.snapshot());
        LOG.debug("{} inflight={} served={}", g, e.inflight(), e.served());
    }

    /** DRAINED: the child's own account of its drain. */
    void onDrained(Event.ChildDrained e) {
        Generation g = speaker(e.connection(), "DRAINED");
        if (g == null) {
            return;
        }
        if (e.served() >= 0) {
            g.served = e.served();
        }
        if (e.inflightAtDrain() >= 0) {
            g.inflightAtDrain = e.inflightAtDrain();
        }
        g.inflightAtExit = Math.max(0, e.abandoned());
        g.inflight = g.inflightAtExit;
        g.drainReported = true;
        if (e.exitCode() >= 0) {
            g.reportedExit = e.exitCode();
        }
        monitor.stats(g.snapshot());
        LOG.info("{} drained {}", g, e.facts());
    }

    void onUnknownFrame(Event.ChildSentUnknown e) {
        Generation g = speaker(e.connection(), null);
        if (g != null) {
            LOG.warn("{} sent an unknown frame ({}): ignored", g, e.keys());
        }
    }

    void onClosed(int connection, String reason) {
        peers.remove(connection);
        Generation g = byConnection.remove(connection);
        if (g == null) {
            LOG.debug("handoff connection {} closed: {}", connection, reason);
            return;
        }
        if (g.connection == connection) {
            g.connection = -1;
        }
        if (g == lifecycle.starting() && (g.phase() == Phase.STARTING || g.phase() == Phase.CONNECTED)) {
            lifecycle.closedBeforeReady(g, "closed the handoff connection before READY (" + reason + ")");
        } else if (g.alive()) {
            LOG.info("{} closed its handoff connection ({})", g, reason);
        }
    }

    /** A connection that said HELLO to another image of batond: it speaks for {@code g} here too. */
    void adopt(int connection, Generation g) {
        byConnection.put(connection, g);
    }

    /** The generation exited: its connection speaks for nobody now. */
    void forget(Generation g) {
        byConnection.values().removeIf(x -> x == g);
    }

    /**
     * The generation that said HELLO on this connection; null, with the connection refused, for
     * one that did not: only a HELLO may come first ({@code what} names the child's own frame
     * that came instead, null for anything else).
     */
    private Generation speaker(int connection, String what) {
        Generation g = byConnection.get(connection);
        if (g != null) {
            return g;
        }
        if (what == null) {
            refuse(connection, "first frame is not a HELLO (BATON=1 TOKEN=...)");
        } else {
            // A child's own frames on a connection that never said HELLO here: a child of
            // another batond (one that died, say), reaching this socket.
            refuse(connection, "a child's " + what + " frame without a HELLO first: "
                    + "not a child of this batond (an orphan of an earlier one?)");
        }
        return null;
    }

    /** Refusals logged per {@link #REFUSAL_WINDOW}; more are counted and mentioned with the next line logged. */
    static final int REFUSALS_LOGGED = 10;
    static final java.time.Duration REFUSAL_WINDOW = java.time.Duration.ofSeconds(10);
    private java.time.Instant refusalWindowStart = java.time.Instant.MIN;
    private int refusalsInWindow;
    private long refusalsUnlogged;

    /** Closes the connection; one line each, at most {@link #REFUSALS_LOGGED} per window (strangers can connect by the thousand). */
    private void refuse(int connection, String why) {
        java.time.Instant now = actions.now();
        if (java.time.Duration.between(refusalWindowStart, now).compareTo(REFUSAL_WINDOW) >= 0) {
            refusalWindowStart = now;
            refusalsInWindow = 0;
        }
        if (refusalsInWindow++ < REFUSALS_LOGGED) {
            LOG.warn("handoff connection refused: {}{}", why,
                    refusalsUnlogged > 0 ? " (and " + refusalsUnlogged + " more refused before, not logged)" : "");
            refusalsUnlogged = 0;
        } else {
            refusalsUnlogged++;
        }
        actions.closeConnection(connection);
    }

    /** The live generation this token belongs to (compared in constant time); null when none. */
    private static Generation byToken(Collection<Generation> alive, String token) {
        byte[] given = token.getBytes(StandardCharsets.UTF_8);
        for (Generation g : alive) {
            if (MessageDigest.isEqual(g.token.getBytes(StandardCharsets.UTF_8), given)) {
                return g;
            }
        }
        return null;
    }
}
