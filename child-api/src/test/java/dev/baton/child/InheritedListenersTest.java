package dev.baton.child;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class InheritedListenersTest {

    /** The parsing itself is protocol's ListenFds (ListenFdsTest); here: what child-api makes of it. */
    @Test
    void systemdListenersStartAtFd3WithTheirNames() {
        List<Listener> l = InheritedListeners.systemd(
                Map.of("LISTEN_PID", "77", "LISTEN_FDS", "2", "LISTEN_FDNAMES", "http:admin"), 77);
        assertEquals(2, l.size());
        assertEquals("http", l.get(0).name());
        assertEquals(3, l.get(0).fd());
        assertEquals("admin", l.get(1).name());
        assertEquals(4, l.get(1).fd());
    }

    @Test
    void startServerPortsCarryAddressesAndFds() {
        List<Listener> l = InheritedListeners.startServer(Map.of("SERVER_STARTER_PORT", "127.0.0.1:8080=5;9090=6"));
        assertEquals(2, l.size());
        assertEquals(new InetSocketAddress("127.0.0.1", 8080), l.get(0).address());
        assertEquals(5, l.get(0).fd());
        assertEquals(new InetSocketAddress(9090), l.get(1).address());
        assertEquals(6, l.get(1).fd());
    }

    @Test
    void listenersWithoutAnAddressPrintTheirName() {
        assertEquals("http (fd 3)", new Listener("http", null, 3).toString());
        assertEquals("127.0.0.1:80 (fd 5)", new Listener("127.0.0.1:80", new InetSocketAddress("127.0.0.1", 80), 5).toString());
        assertEquals("web 127.0.0.1:80 (fd 5)", new Listener("web", new InetSocketAddress("127.0.0.1", 80), 5).toString());
    }
}
