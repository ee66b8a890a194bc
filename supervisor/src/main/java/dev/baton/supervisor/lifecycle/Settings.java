package dev.baton.supervisor.lifecycle;

import java.time.Duration;
import java.util.List;

/**
 * What the lifecycle needs of batond's configuration: its timeouts and limits, and the child
 * command. {@code minReady} is --min-ready (zero: none). Built once from the command line; never changed.
 */
public record Settings(
        Duration readyTimeout,
        Duration drainTimeout,
        Duration restartBackoffMin,
        Duration restartBackoffMax,
        int maxDraining,
        boolean memoryCheck,
        List<String> command,
        Duration minReady) {

    public Settings {
        command = List.copyOf(command);
    }

    /** Without --min-ready (0: the old generation drains at the new one's READY). */
    public Settings(Duration readyTimeout, Duration drainTimeout, Duration restartBackoffMin, Duration restartBackoffMax,
                    int maxDraining, boolean memoryCheck, List<String> command) {
        this(readyTimeout, drainTimeout, restartBackoffMin, restartBackoffMax, maxDraining, memoryCheck, command, Duration.ZERO);
    }
}
