package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code batonctl upgrade --wait}: batond execs a new image of itself in place, under load, and
 * carries on with the same pid, children, listeners and handoff connections; a broken new image
 * is refused before anything changes.
 */
class UpgradeInPlaceTest {
    private static final int UPGRADES = 10;
    private static final Duration SEEN = Duration.ofSeconds(10);

    @Test
    @Timeout(300)
    void tenUpgradesUnderLoadLoseNoRequestAndKeepPidsAndDescriptors() throws Exception {
        try (BatondProcess batond = BatondProcess.startWithHello("UpgradeInPlaceTest-load")) {
            Path control = Path.of(batond.awaitLine(BatondLines.STARTED, BatondProcess.STARTUP).group(3));
            batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);
            try (LoadClient load = LoadClient.start(batond.port(), 2, 2)) {
                assertTrue(load.awaitGeneration(1, SEEN), () -> "no answer from gen=1: " + load.report());
                Map<String, Object> before = BatonctlCommand.run(control, "status", "--json").json();
                assertEquals(batond.pid(), ((Number) before.get("pid")).longValue());
                upgrade(control);
                long fds = openDescriptors(batond.pid()); // after the first: the JVM's lazily opened files are open by then
                for (int i = 2; i <= UPGRADES; i++) {
                    upgrade(control);
                }
                assertEquals(fds, openDescriptors(batond.pid()), "batond's descriptors after " + UPGRADES + " upgrades");
                Map<String, Object> after = BatonctlCommand.run(control, "status", "--json").json();
                load.stop();
                LoadReport report = load.report();
                System.out.println("load during " + UPGRADES + " upgrades: " + report);
                assertEquals(0, report.failures(), report::toString);
                assertEquals(java.util.Set.of(1), report.generations(), report::toString);

                assertEquals(UPGRADES, ((Number) after.get("upgrades")).intValue());
                assertEquals("succeeded", ((Map<?, ?>) after.get("upgrade")).get("outcome"));
                assertNotEquals(before.get("image_started_at"), after.get("image_started_at"));
                assertEquals(withoutImageAndLiveFields(before), withoutImageAndLiveFields(after));
            }
            assertEquals(UPGRADES, batond.countLines(java.util.regex.Pattern.compile(
                    "upgraded batond \\S+ -> \\S+ \\(java .* -> .*\\) in \\d+ ms")));
            assertEquals(1, batond.countLines(BatondLines.ANY_SPAWNED));
            assertTrue(batond.isAlive());
        }
    }

    @Test
    @Timeout(300)
    void aBrokenImageIsRefusedAndAnotherJarOrJvmOptionTakesOverThenReloadsWork(@TempDir Path dir) throws Exception {
        Path launcher = dir.resolve("launcher");
        writeLauncher(launcher, "exec " + Artifacts.batondScript() + " \"$@\"");
        ProcessBuilder builder = BatondLauncher.batond(List.of(), BatondProcess.helloArgs());
        builder.command().set(0, launcher.toString());
        builder.environment().put("BATOND_LAUNCHER", launcher.toString());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        try (BatondProcess batond = BatondProcess.start("UpgradeInPlaceTest-images", builder)) {
            Path control = Path.of(batond.awaitLine(BatondLines.STARTED, BatondProcess.STARTUP).group(3));
            batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);
            String version = (String) status(control).get("version");

            // A launcher that fails, then a jar cut short: refused before the exec, nothing changes.
            writeLauncher(launcher, "echo 'launcher: broken on purpose' >&2; exit 1");
            BatonctlCommand.Result refused = BatonctlCommand.run(control, "upgrade", "--wait");
            assertEquals(1, refused.exitCode(), refused::toString);
            assertTrue(refused.stderr().contains("upgrade refused: the new image (" + launcher + ") failed its check, exit code 1:"
                    + " launcher: broken on purpose"), refused::toString);
            Path truncated = dir.resolve("truncated.jar");
            byte[] jar = Files.readAllBytes(Artifacts.batondJar());
            Files.write(truncated, java.util.Arrays.copyOf(jar, jar.length / 2));
            writeLauncher(launcher, "BATOND_JAR=" + truncated + " exec " + Artifacts.batondScript() + " \"$@\"");
            refused = BatonctlCommand.run(control, "upgrade", "--wait");
            assertEquals(1, refused.exitCode(), refused::toString);
            Map<String, Object> afterRefusal = status(control);
            assertEquals("refused", ((Map<?, ?>) afterRefusal.get("upgrade")).get("outcome"));
            assertEquals(0, ((Number) afterRefusal.get("upgrades")).intValue());
            assertEquals(version, afterRefusal.get("version"));
            assertTrue(batond.isAlive());

            // Another jar (its manifest says another version).
            Path other = dir.resolve("other.jar");
            withVersion(Artifacts.batondJar(), other, "9.8.7-other-jar");
            writeLauncher(launcher, "BATOND_JAR=" + other + " exec " + Artifacts.batondScript() + " \"$@\"");
            BatonctlCommand.Result upgraded = BatonctlCommand.run(control, "upgrade", "--wait");
            assertEquals(0, upgraded.exitCode(), upgraded::toString);
            assertTrue(upgraded.stdout().startsWith("upgraded batond " + version + " "), upgraded::toString);
            assertTrue(upgraded.stdout().contains("-> batond 9.8.7-other-jar "), upgraded::toString);
            assertEquals("9.8.7-other-jar", status(control).get("version"));

            // Another JVM option, read anew from the launcher (batond's own BATOND_JAVA_OPTS stays as it started).
            writeLauncher(launcher, "BATOND_JAVA_OPTS=-Dbatond.version=1.2.3-jvm-option exec " + Artifacts.batondScript() + " \"$@\"");
            upgraded = BatonctlCommand.run(control, "upgrade", "--wait");
            assertEquals(0, upgraded.exitCode(), upgraded::toString);
            Map<String, Object> s = status(control);
            assertEquals("1.2.3-jvm-option", s.get("version"));
            assertEquals(2, ((Number) s.get("upgrades")).intValue());
            assertEquals(batond.pid(), ((Number) s.get("pid")).longValue());

            // A reload right after: the old generation's DRAINED reaches the new image.
            Map<String, Object> reload = BatonctlCommand.run(control, "reload", "--wait", "--json").json();
            assertEquals("succeeded", reload.get("outcome"), reload::toString);
            assertEquals(Boolean.TRUE, reload.get("clean"), reload::toString);
            batond.awaitLine("gen=1 pid=\\d+ drained", SEEN);
        }
    }

    private static void upgrade(Path control) throws IOException, InterruptedException {
        BatonctlCommand.Result r = BatonctlCommand.run(control, "upgrade", "--wait");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stdout().startsWith("upgraded batond "), r::toString);
    }

    private static Map<String, Object> status(Path control) throws IOException, InterruptedException {
        return BatonctlCommand.run(control, "status", "--json").json();
    }

    /** Status minus what an upgrade changes (the image) and what changes anyway (clock, counters under load). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> withoutImageAndLiveFields(Map<String, Object> status) {
        Map<String, Object> m = new java.util.TreeMap<>(status);
        for (String key : List.of("image_started_at", "upgrades", "upgrade", "uptime_ms", "kernel", "log_lines_dropped")) {
            m.remove(key);
        }
        List<Object> listeners = new ArrayList<>();
        for (Object l : (List<Object>) m.get("listeners")) {
            Map<String, Object> lm = new java.util.TreeMap<>((Map<String, Object>) l);
            lm.remove("accept_queue");
            listeners.add(lm);
        }
        m.put("listeners", listeners);
        List<Object> generations = new ArrayList<>();
        for (Object g : (List<Object>) m.get("generations")) {
            Map<String, Object> gm = new java.util.TreeMap<>((Map<String, Object>) g);
            gm.remove("inflight");
            gm.remove("served");
            generations.add(gm);
        }
        m.put("generations", generations);
        return m;
    }

    private static long openDescriptors(long pid) throws IOException {
        try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.count();
        }
    }

    private static void writeLauncher(Path launcher, String body) throws IOException {
        Path next = launcher.resolveSibling(launcher.getFileName() + ".next");
        Files.writeString(next, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(next, PosixFilePermissions.fromString("rwx------"));
        Files.move(next, launcher, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** A copy of {@code jar} whose manifest says {@code version}. */
    private static void withVersion(Path jar, Path copy, String version) throws IOException {
        try (JarInputStream in = new JarInputStream(Files.newInputStream(jar))) {
            Manifest manifest = new Manifest(in.getManifest());
            manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, version);
            try (OutputStream file = Files.newOutputStream(copy); JarOutputStream out = new JarOutputStream(file, manifest)) {
                for (JarEntry e; (e = in.getNextJarEntry()) != null; ) {
                    out.putNextEntry(new JarEntry(e.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
    }
}
