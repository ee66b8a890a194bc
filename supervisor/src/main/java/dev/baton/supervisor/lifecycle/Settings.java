package dev.baton.supervisor.lifecycle;

import java.time.Duration;
import java.util.List;

/**
 * What the lifecycle needs of batond's configuration: its timeouts and limits, and the child
 * command. Built once from the command line; never changed.
 */
public record Settings(
        Duration readyTimeout,
        Duration drainTimeout,
        Duration restartBackoffMin,
        Duration restartBackoffMax,
        int maxDraining,
        boolean memoryCheck,
        List<String> command) {

    public Settings {
        command = List.copyOf(command);
    }
}
