package dev.baton.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** LISTEN_FDS/LISTEN_PID/LISTEN_FDNAMES as systemd sets them: the one parser batond and child-api share. */
class ListenFdsTest {
    private static List<ListenFds.Passed> parse(Map<String, String> env) {
        return ListenFds.fromEnvironment(env, 42);
    }

    @Test
    void namedSocketsFromFd3() {
        assertEquals(List.of(new ListenFds.Passed("http", 3), new ListenFds.Passed("admin", 4)),
                parse(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "2", "LISTEN_FDNAMES", "http:admin")));
    }

    @Test
    void unnamedSocketsAreCalledAfterTheirFd() {
        assertEquals(List.of(new ListenFds.Passed("fd3", 3)),
                parse(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "1", "LISTEN_FDNAMES", "unknown")));
        assertEquals(List.of(new ListenFds.Passed("fd3", 3), new ListenFds.Passed("admin", 4), new ListenFds.Passed("fd5", 5)),
                parse(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "3", "LISTEN_FDNAMES", ":admin")));
        assertEquals(List.of(new ListenFds.Passed("fd3", 3)), parse(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "1")));
    }

    @Test
    void namesBeyondTheCountAreIgnored() {
        assertEquals(List.of(new ListenFds.Passed("http", 3)),
                parse(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "1", "LISTEN_FDNAMES", "http:admin")));
    }

    @Test
    void socketsForAnotherProcessAreNotOurs() {
        assertEquals(List.of(), parse(Map.of("LISTEN_PID", "41", "LISTEN_FDS", "1")));
        assertEquals(List.of(), parse(Map.of("LISTEN_FDS", "1")));
        assertEquals(List.of(), parse(Map.of("LISTEN_PID", "42", "LISTEN_FDS", " ")));
        assertEquals(List.of(), parse(Map.of()));
        // Even nonsense is ignored when it is not meant for this process.
        assertEquals(List.of(), parse(Map.of("LISTEN_PID", "41", "LISTEN_FDS", "two")));
    }

    @Test
    void whitespaceAroundNumbersIsTolerated() {
        assertEquals(List.of(new ListenFds.Passed("fd3", 3)), parse(Map.of("LISTEN_PID", " 42 ", "LISTEN_FDS", " 1\n")));
    }

    @Test
    void nonsenseIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "two")));
        assertEquals("LISTEN_FDS='two' is not a number of sockets", e.getMessage());
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> parse(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "-1")));
        assertEquals("LISTEN_FDS=-1 is out of range 0-1024", range.getMessage());
        assertThrows(IllegalArgumentException.class, () -> parse(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "1025")));
    }

    @Test
    void twoSocketsOfOneNameAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "2", "LISTEN_FDNAMES", "http:http")));
        assertEquals("LISTEN_FDNAMES names two sockets 'http': give each FileDescriptorName= its own name", e.getMessage());
        // "unknown" twice is no clash: both are called after their fd.
        assertEquals(List.of(new ListenFds.Passed("fd3", 3), new ListenFds.Passed("fd4", 4)),
                parse(Map.of("LISTEN_PID", "42", "LISTEN_FDS", "2", "LISTEN_FDNAMES", "unknown:unknown")));
    }
}
