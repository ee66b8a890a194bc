package dev.baton.child;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Netty is optional: with it off the class path every child-api class but the Netty adapters
 * loads and verifies, and a real service process binds, serves probes and drains on SIGTERM.
 */
@Timeout(60)
class WithoutNettyTest {
    /** The only classes that need Netty: loaded only when a service asks for a Netty channel. */
    private static final Set<String> NETTY_ADAPTERS = Set.of(
            "dev.baton.child.EpollChannels", "dev.baton.child.NettyChannels", "dev.baton.child.Sockets$NettyBind");
    private static final Pattern READY = Pattern.compile("no-netty ready port=(\\d+) probes=(\\d+)");

    private Process service;

    @AfterEach
    void stop() throws Exception {
        if (service != null && service.isAlive()) {
            service.destroy();
            if (!service.waitFor(5, TimeUnit.SECONDS)) {
                service.destroyForcibly().waitFor();
            }
        }
    }

    private static String classPathWithoutNetty() {
        return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("netty")).collect(Collectors.joining(File.pathSeparator));
    }

    @Test
    void everyClassButTheNettyAdaptersLoadsWithoutNetty() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : classPathWithoutNetty().split(File.pathSeparator)) {
            urls.add(Path.of(entry).toUri().toURL());
        }
        // Parent: the platform loader, so no class comes from this test's own (Netty-holding) loader.
        try (URLClassLoader noNetty = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName("io.netty.channel.Channel", false, noNetty));
            Path classes = Path.of("target/classes");
            List<String> loaded = new ArrayList<>();
            try (Stream<Path> files = Files.walk(classes)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                    String name = classes.relativize(file).toString().replace(File.separatorChar, '.')
                            .replaceAll("\\.class$", "");
                    if (!NETTY_ADAPTERS.contains(name)) {
                        Class.forName(name, true, noNetty); // links, so verifies every method body
                        loaded.add(name);
                    }
                }
            }
            assertTrue(loaded.contains("dev.baton.child.Baton") && loaded.contains("dev.baton.child.Listener"),
                    loaded::toString);
        }
    }

    @Test
    void aServiceWithoutNettyServesProbesAndDrainsOnSigterm() throws Exception {
        ProcessBuilder command = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.base/java.io=ALL-UNNAMED",
                "-cp", classPathWithoutNetty(), NoNettyService.class.getName()).redirectErrorStream(true);
        command.environment().keySet().removeIf(k -> k.startsWith("BATON_") || k.startsWith("LISTEN_")
                || k.equals("SERVER_STARTER_PORT") || k.equals("NOTIFY_SOCKET"));
        service = command.start();
        List<String> output = new ArrayList<>();
        BufferedReader lines = new BufferedReader(new InputStreamReader(service.getInputStream(), StandardCharsets.UTF_8));
        Matcher ready = null;
        for (String line; ready == null && (line = lines.readLine()) != null; ) {
            output.add(line);
            Matcher m = READY.matcher(line);
            ready = m.find() ? m : null;
        }
        assertTrue(ready != null, () -> "the service did not become ready:\n" + String.join("\n", output));

        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> probe = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ready.group(2)
                + "/ready")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, probe.statusCode(), probe.body());

        service.toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of its output
        for (String line; (line = lines.readLine()) != null; ) {
            output.add(line);
        }
        assertTrue(service.waitFor(30, TimeUnit.SECONDS));
        String log = String.join("\n", output);
        assertEquals(0, service.exitValue(), log);
        assertTrue(log.contains("baton: in-flight 0 -> 0 in "), log);
        assertTrue(log.contains("baton: closed probes in "), log);
        assertTrue(log.contains("closed=[probes] exit 0"), log);
        assertTrue(!log.contains("io.netty") && !log.contains("Exception"), log);
    }
}
