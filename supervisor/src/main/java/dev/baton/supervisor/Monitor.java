package dev.baton.supervisor;

/**
 * What the lifecycle reports as it happens, for metrics. Called on the loop thread only;
 * {@link #NONE} when no metrics endpoint was asked for.
 */
interface Monitor {
    Monitor NONE = new Monitor() {};

    /** A reload ended: succeeded, failed (rolled back), refused or aborted. */
    default void reloadEnded(Reload reload) {}

    /** A generation said READY and now serves. */
    default void serving(Generation generation) {}

    /** A generation reported its in-flight and served counts. */
    default void stats(Generation generation) {}

    /** A generation's process ended. */
    default void exited(Generation generation) {}

    /** The serving child died and a new one is being started in its place. */
    default void childRestarted() {}
}
