package dev.baton.supervisor.upgrade;

import dev.baton.supervisor.lifecycle.LifecycleState;
import dev.baton.supervisor.lifecycle.Listener;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What one image of batond hands the next across an exec in place: the lifecycle's state and the
 * descriptors that survive the exec (listeners, the handoff socket and its connections, the
 * control socket). {@link StateCodec} writes it down.
 */
public record ImageState(LifecycleState lifecycle, List<Listener> listeners, Handoff handoff, Control control) {
    public ImageState {
        listeners = List.copyOf(listeners);
    }

    /** The handoff socket in {@code directory}, its listening descriptor, and each connection's descriptor by id. */
    public record Handoff(Path directory, int fd, Map<Integer, Integer> connections, int lastId) {
        public Handoff {
            connections = Map.copyOf(connections);
        }
    }

    /** The control socket at {@code path} and its listening descriptor. */
    public record Control(Path path, int fd) {}
}
