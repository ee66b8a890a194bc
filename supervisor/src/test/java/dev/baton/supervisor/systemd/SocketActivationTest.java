package dev.baton.supervisor.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** LISTEN_FDS/LISTEN_PID/LISTEN_FDNAMES and WATCHDOG_USEC/WATCHDOG_PID as systemd sets them. */
public class SocketActivationTest {
    @Test
    void namedSocketsFromFd3() {
        assertEquals(List.of(new SocketActivation.Passed("http", 3), new SocketActivation.Passed("admin", 4)),
                SocketActivation.fromEnvironment(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "2", "LISTEN_FDNAMES", "http:admin"), 42));
    }

    @Test
    void unnamedSocketsAreCalledAfterTheirFd() {
        assertEquals(List.of(new SocketActivation.Passed("fd3", 3)),
                SocketActivation.fromEnvironment(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "1", "LISTEN_FDNAMES", "unknown"), 42));
    }

    @Test
    void socketsForAnotherProcessAreNotOurs() {
        assertEquals(List.of(), SocketActivation.fromEnvironment(Map.of("LISTEN_PID", "41", "LISTEN_FDS", "1"), 42));
        assertEquals(List.of(), SocketActivation.fromEnvironment(Map.of(), 42));
    }

    @Test
    void nonsenseIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SocketActivation.fromEnvironment(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "two"), 42));
        assertEquals("LISTEN_FDS='two' is not a number of sockets", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SocketActivation.fromEnvironment(
                Map.of("LISTEN_PID", "42", "LISTEN_FDS", "2", "LISTEN_FDNAMES", "http:http"), 42));
    }

    @Test
    void watchdogEveryHalfPeriodWhenItIsOurs() {
        assertEquals(Optional.of(Duration.ofSeconds(15)), Watchdog.period(Map.of("WATCHDOG_USEC", "30000000"), 42));
        assertEquals(Optional.of(Duration.ofSeconds(15)),
                Watchdog.period(Map.of("WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "42"), 42));
        assertEquals(Optional.empty(), Watchdog.period(Map.of("WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "41"), 42));
        assertEquals(Optional.empty(), Watchdog.period(Map.of(), 42));
    }
}
