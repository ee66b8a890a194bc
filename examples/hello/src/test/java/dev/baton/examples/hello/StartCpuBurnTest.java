package dev.baton.examples.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** hello's slow start: real CPU work of at least the time asked, on the threads asked; 0 is off. */
@Timeout(60)
class StartCpuBurnTest {

    @Test
    void burnsAtLeastTheCpuTimeAskedOnEachThread() throws Exception {
        StartCpuBurn burn = StartCpuBurn.fromEnvironment(Map.of("HELLO_START_CPU_MS", "300", "HELLO_START_CPU_THREADS", "2"));
        long start = System.nanoTime();
        StartCpuBurn.Done done = burn.run();
        long wallMillis = (System.nanoTime() - start) / 1_000_000;

        assertEquals(2, done.cpuMillis().size(), done.toString());
        for (long cpu : done.cpuMillis()) {
            assertTrue(cpu >= 300, "a thread used only " + cpu + " ms of CPU: " + done);
        }
        // CPU time on one thread cannot outrun the wall clock.
        assertTrue(wallMillis >= 300 && done.wallMillis() >= 300, "took " + wallMillis + " ms: " + done);
        assertTrue(done.digest() != 0, "no work's result: " + done);
        assertTrue(burnThreads().isEmpty(), "burn threads left running: " + burnThreads());
    }

    @Test
    void threadsThatMakeAsManyRoundsStillEndWithDifferentDigests() {
        // 0 ms: one batch of rounds each, the same number. From the same block both digests were
        // equal, and a burn's XOR of them 0 (CI saw "digest=0" once).
        long first = StartCpuBurn.burn(0, 0)[1];
        assertEquals(first, StartCpuBurn.burn(0, 0)[1], "the same seed, the same work");
        assertTrue(first != StartCpuBurn.burn(0, 1)[1], "seeds 0 and 1 gave the same digest");
    }

    @Test
    void zeroIsOffAndTheDefault() throws Exception {
        for (Map<String, String> env : List.of(Map.<String, String>of(), Map.of("HELLO_START_CPU_MS", "0"),
                Map.of("HELLO_START_CPU_MS", " "), Map.of("HELLO_START_CPU_MS", "500", "HELLO_START_CPU_THREADS", "0"))) {
            StartCpuBurn burn = StartCpuBurn.fromEnvironment(env);
            assertFalse(burn.on(), env.toString());
            StartCpuBurn.Done done = burn.run();
            assertTrue(done.cpuMillis().isEmpty() && done.wallMillis() == 0, env + ": " + done);
        }
        assertEquals(1, StartCpuBurn.fromEnvironment(Map.of("HELLO_START_CPU_MS", "5")).threads(), "default threads");
    }

    @Test
    void aBadValueNamesTheVariable() {
        for (Map<String, String> env : List.of(Map.of("HELLO_START_CPU_MS", "3s"),
                Map.of("HELLO_START_CPU_MS", "-1"), Map.of("HELLO_START_CPU_MS", "600001"),
                Map.of("HELLO_START_CPU_THREADS", "65"), Map.of("HELLO_START_CPU_THREADS", "-1"),
                Map.of("HELLO_START_CPU_THREADS", "99999999999999"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StartCpuBurn.fromEnvironment(env));
            String variable = env.keySet().iterator().next();
            assertTrue(e.getMessage().startsWith(variable + " must be"), e.getMessage());
        }
    }

    private static Set<String> burnThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.startsWith("hello-start-cpu-")).collect(Collectors.toSet());
    }
}
