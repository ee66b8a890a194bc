package dev.baton.supervisor.cli;

import dev.baton.supervisor.lifecycle.Settings;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything batond was told on its command line; built once, never changed. {@code control}
 * is the control socket's path; {@code metrics} is null when no Prometheus endpoint was asked for;
 * {@code minReady} is zero without --min-ready.
 * {@code startNice} is the nice value a reload's new generation starts at (0: off);
 * {@code drainNice} the one a replaced generation drains at (0: off).
 */
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
        Path control,
        InetSocketAddress metrics,
        int startNice,
        int drainNice,
        List<String> command,
        Duration minReady) {

    public Config {
        listens = List.copyOf(listens);
        command = List.copyOf(command);
    }

    /** What the lifecycle needs of it. */
    public Settings settings() {
        return new Settings(readyTimeout, drainTimeout, restartBackoffMin, restartBackoffMax, maxDraining, memoryCheck, command, minReady);
    }
}
