package dev.baton.supervisor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Everything batond was told on its command line; built once, never changed. */
public record Config(
        List<ListenSpec> listens,
        Duration readyTimeout,
        Duration drainTimeout,
        Duration restartBackoffMin,
        Duration restartBackoffMax,
        int maxDraining,
        boolean memoryCheck,
        double memoryHeadroom,
        Path handoffDir,
        List<String> command) {

    public Config {
        listens = List.copyOf(listens);
        command = List.copyOf(command);
    }
}
