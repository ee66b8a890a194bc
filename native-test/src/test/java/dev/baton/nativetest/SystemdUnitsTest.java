package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unit files under systemd/ pass {@code systemd-analyze verify} without a word, once installed
 * as the README installs them; the check fails on a broken unit; and the timeouts, names and
 * hardening in them agree with what batond does.
 */
@Timeout(60)
class SystemdUnitsTest {
    private static final String SERVICE = "hello.service";
    private static final String SOCKET = "hello.socket";
    /** batond's wait between SIGTERM and SIGKILL of a child that does not exit. */
    private static final Duration KILL_GRACE = Duration.ofSeconds(5);

    @TempDir
    Path root;

    @TestFactory
    Stream<DynamicTest> everyUnitFileVerifiesClean() throws IOException {
        UnitInstall install = UnitInstall.into(root);
        return UnitInstall.sourceUnits().stream().map(source -> {
            String name = source.getFileName().toString();
            return DynamicTest.dynamicTest(name, () -> {
                SystemdAnalyze.Verification verification = SystemdAnalyze.verify(install.unit(name));
                assertTrue(verification.clean(), verification::toString);
            });
        });
    }

    @Test
    void theServiceAndItsSocketAreThere() throws IOException {
        List<String> names = UnitInstall.sourceUnits().stream().map(p -> p.getFileName().toString()).toList();
        assertTrue(names.containsAll(List.of(SERVICE, SOCKET)), () -> "systemd/ holds " + names);
    }

    // The check can fail: each of these mistakes is reported.

    @Test
    void aMisspeltDirectiveFailsVerification() throws Exception {
        UnitInstall install = UnitInstall.into(root);
        install.edit(SERVICE, text -> text.replace("\nKillMode=control-group", "\nKilMode=control-group"));
        SystemdAnalyze.Verification verification = SystemdAnalyze.verify(install.unit(SERVICE));
        assertFalse(verification.clean(), verification::toString);
        assertTrue(verification.output().contains("KilMode"), verification::toString);
    }

    @Test
    void aLauncherMissingFromTheInstallFailsVerification() throws Exception {
        UnitInstall install = UnitInstall.into(root);
        Files.delete(install.installed("bin/batonctl"));
        SystemdAnalyze.Verification verification = SystemdAnalyze.verify(install.unit(SERVICE));
        assertFalse(verification.clean(), verification::toString);
        assertTrue(verification.output().contains("batonctl"), verification::toString);
    }

    @Test
    void aSocketWithoutItsServiceFailsVerification() throws Exception {
        UnitInstall install = UnitInstall.into(root);
        Files.delete(install.unit(SERVICE));
        SystemdAnalyze.Verification verification = SystemdAnalyze.verify(install.unit(SOCKET));
        assertFalse(verification.clean(), verification::toString);
        assertTrue(verification.output().contains(SERVICE), verification::toString);
    }

    @Test
    void aMissingDependencyFailsVerification() throws Exception {
        UnitInstall install = UnitInstall.into(root);
        install.edit(SERVICE, text -> text.replace("\n[Service]\n", "\nRequires=no-such-thing.service\n[Service]\n"));
        SystemdAnalyze.Verification verification = SystemdAnalyze.verify(install.unit(SERVICE));
        assertFalse(verification.clean(), verification::toString);
        assertTrue(verification.output().contains("no-such-thing.service"), verification::toString);
    }

    // What systemd-analyze cannot know: the units against batond's own behaviour.

    @Test
    void timeoutsLeaveBatondTimeToDrainAndReload() throws IOException {
        UnitFile service = source(SERVICE);
        List<String> batond = batondOptions(service);
        Duration ready = option(batond, "--ready-timeout").map(UnitFile::timespan).orElse(Duration.ofSeconds(60));
        Duration drain = option(batond, "--drain-timeout").map(UnitFile::timespan).orElse(Duration.ofSeconds(30));
        Duration backoffMax = option(batond, "--restart-backoff-max").map(UnitFile::timespan).orElse(Duration.ofSeconds(30));

        Duration stop = UnitFile.timespan(service.required("Service", "TimeoutStopSec"));
        assertTrue(stop.compareTo(drain.plus(KILL_GRACE)) > 0,
                () -> "TimeoutStopSec=" + stop + " would SIGKILL children still draining (drain " + drain + ")");
        // ExecReload= runs under TimeoutStartSec=, and reload --wait covers READY and the old drain.
        Duration start = UnitFile.timespan(service.required("Service", "TimeoutStartSec"));
        assertTrue(start.compareTo(ready.plus(drain).plus(KILL_GRACE)) > 0,
                () -> "TimeoutStartSec=" + start + " would cut `batonctl reload --wait` short (ready " + ready + ", drain " + drain + ")");
        Duration watchdog = UnitFile.timespan(service.required("Service", "WatchdogSec"));
        assertTrue(watchdog.compareTo(ready.plus(backoffMax)) > 0,
                () -> "WatchdogSec=" + watchdog + " would fire before batond restarts a crashed child itself");
    }

    @Test
    void theSocketPassesTheListenerTheServiceNames() throws IOException {
        UnitFile socket = source(SOCKET);
        String name = socket.required("Socket", "FileDescriptorName");
        String address = socket.required("Socket", "ListenStream");
        List<String> listens = new ArrayList<>();
        List<String> batond = batondOptions(source(SERVICE));
        for (int i = 0; i < batond.size(); i++) {
            if (batond.get(i).startsWith("--listen=")) {
                listens.add(batond.get(i).substring("--listen=".length()));
            } else if (batond.get(i).equals("--listen") && i + 1 < batond.size()) {
                listens.add(batond.get(i + 1));
            }
        }
        assertTrue(listens.contains(name + "=" + address),
                () -> SOCKET + " passes " + name + "=" + address + " but " + SERVICE + " listens on " + listens);
    }

    @Test
    void theServiceKeepsWhatBatondNeeds() throws IOException {
        UnitFile service = source(SERVICE);
        assertEquals("notify", service.required("Service", "Type"));
        assertEquals("main", service.required("Service", "NotifyAccess"));
        assertEquals("control-group", service.required("Service", "KillMode"));
        assertTrue(Integer.parseInt(service.required("Service", "FileDescriptorStoreMax")) > 0, "batond stores its listeners");
        assertTrue(service.values("Service", "Environment").contains("_JAVA_SR_SIGNUM=39"), "HotSpot keeps SIGUSR2");
        assertTrue(service.required("Service", "ExecStart").startsWith(UnitInstall.PREFIX + "bin/batond "));
        assertEquals(UnitInstall.PREFIX + "bin/batonctl reload --wait", service.required("Service", "ExecReload"));
        assertTrue(service.has("Service", "RuntimeDirectory"), "the control and handoff sockets need a private directory");
        assertEquals("0700", service.required("Service", "RuntimeDirectoryMode"));
        // Hardening must not take away what batond and the JVM use.
        assertFalse(service.value("Service", "MemoryDenyWriteExecute").orElse("no").equals("yes"), "the JIT needs W+X");
        assertTrue(service.required("Service", "RestrictAddressFamilies").contains("AF_UNIX"), "handoff, control, notify");
        assertFalse(service.value("Service", "ProcSubset").orElse("all").equals("pid"), "hides /proc/net/netstat");
        assertFalse(service.value("Service", "PrivateNetwork").orElse("no").equals("yes"), "no listener reachable");
    }

    private static UnitFile source(String name) throws IOException {
        return UnitFile.read(Artifacts.root().resolve("systemd").resolve(name));
    }

    /** batond's own options in ExecStart=: the words after the launcher, up to the child command's {@code --}. */
    private static List<String> batondOptions(UnitFile service) {
        List<String> words = Arrays.asList(service.required("Service", "ExecStart").split("\\s+"));
        int end = words.indexOf("--");
        return words.subList(1, end < 0 ? words.size() : end);
    }

    private static Optional<String> option(List<String> words, String name) {
        for (int i = 0; i < words.size(); i++) {
            if (words.get(i).startsWith(name + "=")) {
                return Optional.of(words.get(i).substring(name.length() + 1));
            }
            if (words.get(i).equals(name) && i + 1 < words.size()) {
                return Optional.of(words.get(i + 1));
            }
        }
        return Optional.empty();
    }
}
