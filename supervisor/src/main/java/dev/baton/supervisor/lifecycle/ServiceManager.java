package dev.baton.supervisor.lifecycle;

import java.time.Duration;

/**
 * What batond tells the service manager that started it (systemd's sd_notify, in the systemd
 * package); {@link #NONE} without one. Called on the loop thread only.
 */
public interface ServiceManager {
    ServiceManager NONE = new ServiceManager() {};

    /** Started, or a reload ended (either way): ready, with a status line. */
    default void ready(String status) {}

    /** A reload began. */
    default void reloading(String status) {}

    /** The status line alone. */
    default void status(String status) {}

    /** batond is stopping and may take {@code extendBy} more. */
    default void stopping(String status, Duration extendBy) {}

    /** A start or reload may take {@code extendBy} more. */
    default void extendTimeout(Duration extendBy) {}

    /** batond is alive and a child serves. */
    default void watchdog() {}
}
