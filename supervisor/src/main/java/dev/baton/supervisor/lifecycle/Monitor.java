package dev.baton.supervisor.lifecycle;

/**
 * What the lifecycle reports as it happens, for metrics. Called on the loop thread only, with
 * snapshots; {@link #NONE} when no metrics endpoint was asked for.
 */
public interface Monitor {
    Monitor NONE = new Monitor() {};

    /** A reload ended: succeeded, failed (rolled back), refused or aborted. */
    default void reloadEnded(ReloadSnapshot reload) {}

    /** A generation said READY and now serves. */
    default void serving(GenerationSnapshot generation) {}

    /** A generation reported its in-flight and served counts. */
    default void stats(GenerationSnapshot generation) {}

    /** A generation's last process ended. */
    default void exited(GenerationSnapshot generation) {}

    /** The serving child died and a new one is being started in its place. */
    default void childRestarted() {}
}
