package dev.baton.batonctl;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** batonctl's human rendering of batond's answers. */
class BatonctlViewTest {

    @Test
    void aServingGenerationWithoutStatsYetSaysNotYetRatherThanAQuestionMark() {
        Map<String, Object> fresh = generation(2, "serving", -1, -1, null);
        Map<String, Object> old = generation(1, "exited", -1, -1, 0);
        String text = BatonctlView.status(status(List.of(old, fresh)));
        String row = text.lines().filter(l -> l.trim().startsWith("2 ")).findFirst().orElseThrow();
        assertTrue(row.contains("not yet"), row);
        assertFalse(row.contains("?"), row);
        String exited = text.lines().filter(l -> l.trim().startsWith("1 ")).findFirst().orElseThrow();
        assertFalse(exited.contains("not yet"), exited);
    }

    @Test
    void reportedCountsAreShownAsTheyAre() {
        String text = BatonctlView.status(status(List.of(generation(3, "serving", 0, 1234, null))));
        String row = text.lines().filter(l -> l.trim().startsWith("3 ")).findFirst().orElseThrow();
        assertTrue(row.matches(".*\\s0\\s+1234\\s*"), row);
    }

    @Test
    void timeToReadyIsShownSplitIntoStartAndWarmUp() {
        Map<String, Object> g = generation(2, "serving", 0, 10, null);
        g.put("ready_ms", 1200L);
        g.put("start_ms", 900L);
        g.put("warmup_ms", 300L);
        Map<String, Object> starting = generation(3, "starting", -1, -1, null);
        starting.put("ready_at", null);
        Map<String, Object> s = status(List.of(g, starting));
        Map<String, Object> reload = new LinkedHashMap<>();
        reload.put("reload", 1);
        reload.put("source", "batonctl");
        reload.put("outcome", "succeeded");
        reload.put("clean", true);
        reload.put("duration_ms", 2000L);
        reload.put("new", Map.of("generation", 2, "pid", 102, "ready_ms", 1200L, "start_ms", 900L, "warmup_ms", 300L));
        reload.put("kernel", Map.of("listen_overflows", 0, "listen_drops", 0));
        s.put("reloads", List.of(reload));
        String text = BatonctlView.status(s);
        assertTrue(text.lines().anyMatch(l -> l.contains("start") && l.contains("warm-up") && l.contains("ready at")), text);
        String row = text.lines().filter(l -> l.trim().startsWith("2 ")).findFirst().orElseThrow();
        assertTrue(row.matches(".*\\s0\\.90s\\s+0\\.30s\\s+0\\s+10\\s*"), row);
        String notReady = text.lines().filter(l -> l.trim().startsWith("3 ")).findFirst().orElseThrow();
        assertFalse(notReady.contains("?") || notReady.contains("0.00s"), notReady);
        assertTrue(text.contains("gen=2 READY in 1.20s (start 0.90s, warm-up 0.30s)"), text);
        assertTrue(BatonctlView.reload(reload).contains("READY in 1.20s (start 0.90s, warm-up 0.30s)"), BatonctlView.reload(reload));
    }

    @Test
    void theStartAndDrainPriorityMechanismsAndEachGenerationsStateAreShown() {
        Map<String, Object> starting = generation(4, "starting", -1, -1, null);
        starting.put("start_priority", "low");
        Map<String, Object> serving = generation(3, "serving", 0, 10, null);
        serving.put("start_priority", "restored");
        Map<String, Object> s = status(List.of(serving, starting));
        s.put("start_priority", "nice 19");
        s.put("drain_priority", "cpu.weight 1");
        String text = BatonctlView.status(s);
        assertTrue(text.contains("\nstart priority: nice 19\ndrain priority: cpu.weight 1\n"), text);
        assertTrue(text.lines().anyMatch(l -> l.trim().startsWith("4 ") && l.endsWith(" low")), text);
        assertTrue(text.lines().anyMatch(l -> l.trim().startsWith("3 ") && l.endsWith(" restored")), text);
    }

    private static Map<String, Object> generation(int number, String state, long inflight, long served, Integer exit) {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("generation", number);
        g.put("pid", 100 + number);
        g.put("state", state);
        g.put("started_at", "2026-11-30T10:00:00.000Z");
        g.put("ready_at", "2026-11-30T10:00:01.000Z");
        g.put("inflight", inflight);
        g.put("served", served);
        if (exit != null) {
            g.put("exit_code", exit);
        }
        return g;
    }

    private static Map<String, Object> status(List<Map<String, Object>> generations) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("ok", true);
        s.put("pid", 1);
        s.put("state", "serving");
        s.put("uptime_ms", 1000);
        s.put("child_restarts", 0);
        s.put("command", "java -jar app.jar");
        s.put("listeners", List.of());
        s.put("kernel", Map.of("listen_overflows", 0, "listen_drops", 0));
        s.put("generations", generations);
        s.put("reloads", List.of());
        return s;
    }
}
