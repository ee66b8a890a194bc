package dev.baton.supervisor.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** Whom EADDRINUSE is about, from the real /proc. */
class PortHoldersTest {
    @Test
    void theProcessListeningOnThePortIsNamed() throws Exception {
        try (ServerSocket held = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            long self = ProcessHandle.current().pid();
            String holders = PortHolders.describe(Path.of("/proc"), held.getLocalPort(), java.util.Set.of(1L, self));
            assertEquals("pid " + self + " (java)", holders.replaceAll("\\(.*\\)", "(java)"));
            holders = PortHolders.describe(Path.of("/proc"), held.getLocalPort(), java.util.Set.of());
            assertTrue(holders.contains("pid " + self + " ("), "found among every process when no suspect holds it: " + holders);
        }
    }

    @Test
    void aPortNobodyListensOnHasNoHolder() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        assertEquals("", PortHolders.describe(Path.of("/proc"), port, java.util.Set.of(ProcessHandle.current().pid())));
    }
}
