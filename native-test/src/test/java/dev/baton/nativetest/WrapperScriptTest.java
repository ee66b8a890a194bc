package dev.baton.nativetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The child command is a wrapper script that does not {@code exec} ({@code sh -c 'java -jar
 * hello.jar; echo done'}): batond must drain the JVM behind it, not just the shell, so that after
 * each reload only the new generation serves, and after {@code stop --wait} nothing is left.
 */
class WrapperScriptTest {
    private static final int RELOADS = 5;
    private static final Duration SEEN = Duration.ofSeconds(10);

    @Test
    @Timeout(240)
    void aWrapperWithoutExecIsDrainedWholeAndOnlyTheNewGenerationServes() throws Exception {
        String java = Artifacts.helloCommand().stream().map(WrapperScriptTest::quoted).collect(Collectors.joining(" "));
        List<String> wrapper = List.of("sh", "-c", java + "; echo wrapper done");
        try (BatondProcess batond = BatondProcess.startWith("WrapperScriptTest", wrapper)) {
            Path control = Path.of(batond.awaitLine(BatondLines.STARTED, BatondProcess.STARTUP).group(3));
            batond.awaitLine(BatondLines.ready(1), BatondProcess.STARTUP);
            List<Long> leaders = new ArrayList<>();
            List<Long> services = new ArrayList<>();
            Map<String, Object> first = generation(BatonctlCommand.run(control, "status", "--json").json(), 1);
            leaders.add(number(first.get("pid")));
            services.add(number(first.get("service_pid")));
            assertNotEquals(leaders.get(0), services.get(0), "the JVM behind the wrapper said HELLO: " + first);

            try (LoadClient load = LoadClient.start(batond.port(), 2, 2)) {
                assertTrue(load.awaitGeneration(1, SEEN), () -> "no answer from gen=1: " + load.report());
                for (int gen = 2; gen <= RELOADS + 1; gen++) {
                    BatonctlCommand.Result reload = BatonctlCommand.run(control, "reload", "--wait", "--json");
                    Map<String, Object> evidence = reload.json();
                    assertEquals(0, reload.exitCode(), reload::toString);
                    @SuppressWarnings("unchecked")
                    Map<String, Object> old = (Map<String, Object>) evidence.get("old");
                    assertEquals(143, number(old.get("exit_code")), "the shell ends by the group's SIGTERM: " + evidence);
                    assertEquals(0, number(old.get("killed_processes")), evidence::toString);
                    assertEquals(services.get(services.size() - 1), number(old.get("service_pid")), evidence::toString);
                    assertEquals(0, number(old.get("inflight_at_exit")), "the JVM drained: " + evidence);
                    // The old generation has exited: its whole group, the JVM included.
                    long oldLeader = leaders.get(leaders.size() - 1);
                    assertFalse(ProcessHandle.of(services.get(services.size() - 1)).map(ProcessHandle::isAlive).orElse(false),
                            "the old JVM still runs after its generation exited");
                    assertEquals(List.of(), inGroup(oldLeader), "processes of the old generation's group are left");
                    // Only one JVM serves now: every fresh connection is answered by the new generation.
                    for (int i = 0; i < 20; i++) {
                        HttpResponse answer = HttpProbe.get(batond.port(), "/");
                        assertEquals(gen, answer.generation().orElse(-1), "answer " + i + " after reload to gen=" + gen + ": " + answer);
                    }
                    Map<String, Object> fresh = generation(BatonctlCommand.run(control, "status", "--json").json(), gen);
                    leaders.add(number(fresh.get("pid")));
                    services.add(number(fresh.get("service_pid")));
                    int expected = gen;
                    assertTrue(load.awaitGeneration(expected, SEEN), () -> "clients never saw gen=" + expected + ": " + load.report());
                }
                load.stop();
                LoadReport report = load.report();
                System.out.println("load during " + RELOADS + " reloads behind a wrapper: " + report);
                assertEquals(0, report.failures(), report::toString);
            }

            BatonctlCommand.Result stop = BatonctlCommand.run(control, "stop", "--wait");
            assertEquals(0, stop.exitCode(), stop::toString);
            assertTrue(stop.stdout().contains("every generation drained"), stop::toString);
            assertEquals(0, batond.waitFor(Duration.ofSeconds(60)), () -> batond.output().tail(40));
            for (long leader : leaders) {
                assertEquals(List.of(), inGroup(leader), "a process of the group of " + leader + " survived stop --wait");
            }
            for (long service : services) {
                assertFalse(ProcessHandle.of(service).map(ProcessHandle::isAlive).orElse(false),
                        "the service JVM " + service + " survived stop --wait");
            }
            assertEquals(0, batond.countLines(BatondLines.ANY_KILLED), () -> batond.output().tail(60));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> generation(Map<String, Object> status, int number) {
        for (Object g : (List<Object>) status.get("generations")) {
            Map<String, Object> m = (Map<String, Object>) g;
            if (number(m.get("generation")) == number) {
                return m;
            }
        }
        throw new AssertionError("no gen=" + number + " in " + status);
    }

    private static long number(Object o) {
        if (!(o instanceof Number n)) {
            throw new AssertionError("not a number: " + o);
        }
        return n.longValue();
    }

    private static String quoted(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** Live processes whose process group is {@code pgid}, from /proc/PID/stat. */
    private static List<Long> inGroup(long pgid) throws IOException {
        List<Long> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path entry : entries) {
                try {
                    String s = Files.readString(entry.resolve("stat"));
                    String[] rest = s.substring(s.lastIndexOf(')') + 2).split(" ", 4);
                    if (Long.parseLong(rest[2]) == pgid) {
                        found.add(Long.parseLong(entry.getFileName().toString()));
                    }
                } catch (IOException | RuntimeException gone) {
                    // ended while we looked
                }
            }
        }
        return found;
    }
}
