package dev.baton.supervisor.lifecycle;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The handoff session of each child: which connection speaks for which generation, and who may
 * speak at all (batond's own uid or root, with a live generation's token, once).
 */
public final class ChildSessions {
    private final int ownUid;
    private final Map<Integer, Generation> byConnection = new HashMap<>();

    ChildSessions(int ownUid) {
        this.ownUid = ownUid;
    }

    /** Why a peer may not talk to batond at all; null when it may. */
    String refusal(long peerPid, int peerUid) {
        return peerUid == ownUid || peerUid == 0 ? null
                : "peer pid=" + peerPid + " runs as uid " + peerUid + ", not batond's uid " + ownUid;
    }

    /** The generation that said HELLO on this connection; null before (or for a stranger). */
    Generation of(int connection) {
        return byConnection.get(connection);
    }

    void attach(int connection, Generation g) {
        byConnection.put(connection, g);
        g.connection = connection;
    }

    /** The connection closed: the generation it spoke for, if any. */
    Generation detach(int connection) {
        Generation g = byConnection.remove(connection);
        if (g != null && g.connection == connection) {
            g.connection = -1;
        }
        return g;
    }

    /** The generation exited: its connection speaks for nobody now. */
    void forget(Generation g) {
        byConnection.values().removeIf(x -> x == g);
    }

    /** The live generation this token belongs to (compared in constant time); null when none. */
    static Generation byToken(Collection<Generation> alive, String token) {
        byte[] given = token.getBytes(StandardCharsets.UTF_8);
        for (Generation g : alive) {
            if (MessageDigest.isEqual(g.token.getBytes(StandardCharsets.UTF_8), given)) {
                return g;
            }
        }
        return null;
    }
}
