package dev.baton.supervisor.systemd;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * systemd's watchdog (WatchdogSec=): when {@code WATCHDOG_USEC} is set (and {@code WATCHDOG_PID},
 * if set, is this process), batond sends WATCHDOG=1 every half period, as sd_watchdog_enabled(3)
 * advises, and only while a child serves.
 */
public final class Watchdog {
    private Watchdog() {}

    public static Optional<Duration> period(Map<String, String> env, long pid) {
        String usec = env.get("WATCHDOG_USEC");
        String watchdogPid = env.get("WATCHDOG_PID");
        if (usec == null || usec.isBlank()) {
            return Optional.empty();
        }
        if (watchdogPid != null && !watchdogPid.isBlank() && !watchdogPid.trim().equals(Long.toString(pid))) {
            return Optional.empty(); // meant for another process
        }
        try {
            long micros = Long.parseLong(usec.trim());
            return micros > 0 ? Optional.of(Duration.ofNanos(micros * 1000 / 2)) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
