package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two named listeners, one of them IPv6: both reach every generation, across a reload. */
class NamedAndIpv6ListenersTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    @Timeout(120)
    void ipv6AndIpv4ListenersBothServeAcrossAReload() throws Exception {
        assumeTrue(ipv6Loopback(), "no IPv6 loopback on this machine");
        List<String> args = new ArrayList<>(List.of("--listen", "web=[::1]:0", "--listen", "admin=127.0.0.1:0", "--"));
        args.addAll(Artifacts.helloCommand());
        try (BatondProcess batond = BatondProcess.start("NamedAndIpv6ListenersTest", List.of(), args)) {
            int web = Integer.parseInt(batond.awaitLine("listener web bound to \\[[0-9a-f:]+\\]:(\\d+)", WAIT).group(1));
            int admin = Integer.parseInt(batond.awaitLine("listener admin bound to 127\\.0\\.0\\.1:(\\d+)", WAIT).group(1));
            batond.awaitLine(BatondLines.ready(1), WAIT);
            batond.awaitLine("gen=1 pid=\\d+ fds sent: web,admin", WAIT); // both, in --listen order

            assertEquals("generation=1", generationAt("::1", web));
            assertEquals("generation=1", generationAt("127.0.0.1", admin));

            batond.signal("USR2");
            batond.awaitLine(BatondLines.reloadComplete(2), WAIT);
            // Until its drain closes its copy of the listeners, generation 1 may still accept.
            batond.awaitLine(BatondLines.exited(1), WAIT);
            assertEquals("generation=2", generationAt("::1", web));
            assertEquals("generation=2", generationAt("127.0.0.1", admin));

            batond.signal("TERM");
            assertEquals(0, batond.waitFor(WAIT));
        }
    }

    private static boolean ipv6Loopback() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            return s.getInetAddress() instanceof Inet6Address;
        } catch (IOException e) {
            return false;
        }
    }

    /** GET / on a fresh connection; returns the {@code generation=N} part of the body. */
    private static String generationAt(String host, int port) throws IOException {
        try (Socket s = new Socket(host, port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            var m = Pattern.compile("generation=\\d+").matcher(response);
            assertTrue(m.find(), response);
            return m.group();
        }
    }
}
