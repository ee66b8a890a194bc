package dev.baton.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The warm-up a generation reported, found in batond's status or its log whatever the field is called. */
class WarmupReportTest {
    @Test
    void fromTheReloadEvidenceOrTheGenerationInStatus() {
        Object evidence = JsonReader.parse("{\"generations\":[{\"generation\":3,\"pid\":9}],\"reloads\":["
                + "{\"new\":{\"generation\":2,\"warmup_ms\":50}},{\"new\":{\"generation\":3,\"ready_ms\":900,\"warmup_ms\":310}}]}");
        assertEquals(310L, WarmupReport.fromStatus(evidence, 3));
        assertEquals(50L, WarmupReport.fromStatus(evidence, 2));
        Object generations = JsonReader.parse("{\"generations\":[{\"generation\":4,\"warm_up_ms\":120}],\"reloads\":[]}");
        assertEquals(120L, WarmupReport.fromStatus(generations, 4));
        assertNull(WarmupReport.fromStatus(generations, 5));
        assertNull(WarmupReport.fromStatus(JsonReader.parse("{\"generations\":[{\"generation\":4,\"ready_ms\":7}]}"), 4));
        assertNull(WarmupReport.fromStatus(JsonReader.parse("[]"), 4));
    }

    @Test
    void fromALogLine() {
        assertEquals(312L, WarmupReport.fromLog(List.of("x", "baton: ready generation=2 WARMUP_MS=312")));
        assertEquals(310L, WarmupReport.fromLog(List.of("batond: gen=2 pid=9 ready in 1.20s (warm-up 0.31s)")));
        assertEquals(45L, WarmupReport.fromLog(List.of("hello: warmup took 45 ms")));
        // A count of requests is not a duration.
        assertNull(WarmupReport.fromLog(List.of("hello: warm-up: 200 requests", "batond: gen=2 pid=9 ready in 1.20s")));
        assertEquals(80L, WarmupReport.fromLog(List.of("hello: warm-up: 200 requests in 80 ms")));
    }
}
