package dev.baton.supervisor.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** WATCHDOG_USEC/WATCHDOG_PID as systemd sets them (LISTEN_FDS: protocol's ListenFdsTest). */
class WatchdogTest {
    @Test
    void watchdogEveryHalfPeriodWhenItIsOurs() {
        assertEquals(Optional.of(Duration.ofSeconds(15)), Watchdog.period(Map.of("WATCHDOG_USEC", "30000000"), 42));
        assertEquals(Optional.of(Duration.ofSeconds(15)),
                Watchdog.period(Map.of("WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "42"), 42));
        assertEquals(Optional.empty(), Watchdog.period(Map.of("WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "41"), 42));
        assertEquals(Optional.empty(), Watchdog.period(Map.of(), 42));
    }
}
