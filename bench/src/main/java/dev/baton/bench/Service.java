package dev.baton.bench;

import java.util.List;
import java.util.OptionalLong;

/** examples/hello run in one {@link Mode}: started, reloaded, stopped, with real signals. */
interface Service extends AutoCloseable {
    /** Starts the service and returns once it serves. */
    void start() throws Exception;

    /** The supervising process (batond, start_server), whose memory and CPU are measured; none for a plain restart. */
    OptionalLong supervisorPid();

    /** Replaces the serving generation; returns once the new one is ready and the old one has exited. */
    Reload reload() throws Exception;

    /**
     * {@code reloads} with the warm-up each new generation reported, asked for once the load is off,
     * the service still up; as they are where nothing reports one.
     */
    default List<Reload> withWarmups(List<Reload> reloads) throws Exception {
        return reloads;
    }

    @Override
    void close() throws InterruptedException;
}
