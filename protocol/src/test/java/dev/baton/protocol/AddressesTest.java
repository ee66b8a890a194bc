package dev.baton.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;

class AddressesTest {

    @Test
    void parsesIpv4Ipv6AndAllInterfaces() {
        assertEquals(new InetSocketAddress("127.0.0.1", 8080), Addresses.parse("127.0.0.1:8080"));
        assertEquals(new InetSocketAddress("::1", 8080), Addresses.parse("[::1]:8080"));
        assertEquals(new InetSocketAddress(9000), Addresses.parse(":9000"));
    }

    @Test
    void formatsIpv6InBrackets() {
        assertEquals("[::1]:8080", Addresses.format(new InetSocketAddress("::1", 8080)));
        assertEquals("[::]:80", Addresses.format(new InetSocketAddress("::", 80)));
        assertEquals("[2001:db8::1:0:0:1]:80", Addresses.format(new InetSocketAddress("2001:db8:0:0:1:0:0:1", 80)));
        assertEquals("[fe80::1:2]:80", Addresses.format(new InetSocketAddress("fe80:0:0:0:0:0:1:2", 80)));
        assertEquals("[1:2:3:4:5:6:7:8]:80", Addresses.format(new InetSocketAddress("1:2:3:4:5:6:7:8", 80)));
        assertEquals("127.0.0.1:0", Addresses.format(new InetSocketAddress("127.0.0.1", 0)));
    }

    @Test
    void errorsSayWhatIsWrong() {
        assertEquals("'nonsense' is not HOST:PORT (for IPv6 write [::1]:8080)",
                assertThrows(IllegalArgumentException.class, () -> Addresses.parse("nonsense")).getMessage());
        assertEquals("'127.0.0.1:http': port 'http' is not a number",
                assertThrows(IllegalArgumentException.class, () -> Addresses.parse("127.0.0.1:http")).getMessage());
        assertEquals("'127.0.0.1:70000': port 70000 is outside 0-65535",
                assertThrows(IllegalArgumentException.class, () -> Addresses.parse("127.0.0.1:70000")).getMessage());
        assertEquals("'::1:80': write IPv6 addresses in brackets, e.g. [::1]:8080",
                assertThrows(IllegalArgumentException.class, () -> Addresses.parse("::1:80")).getMessage());
    }
}
